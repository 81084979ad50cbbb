/* A real program for the Emscripten test: the Lua 5.4.7 interpreter (its C
 * sources from the lua-src crate, archived into liblua.a) running a script
 * that uses tables, closures, coroutines, string patterns and formatting,
 * sorting with a Lua comparator, integer and float arithmetic, and errors
 * caught by pcall (longjmp inside Lua). */
#include <stdio.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

static const char *script =
    "local t = {}\n"
    "for i = 1, 20 do t[i] = (i * 7919) % 31 end\n"
    "table.sort(t, function(a, b) return a > b end)\n"
    "print('sorted', table.concat(t, ','))\n"
    "local function counter() local n = 0; return function() n = n + 1; return n end end\n"
    "local c = counter(); c(); c()\n"
    "print('closure', c())\n"
    "local co = coroutine.create(function(a) local b = coroutine.yield(a * 2); return a + b end)\n"
    "local _, x = coroutine.resume(co, 5); local _, y = coroutine.resume(co, 10)\n"
    "print('coroutine', x, y)\n"
    "local s = ('The quick brown fox'):gsub('%w+', function(w) return w:upper():sub(1, 2) end)\n"
    "print('gsub', s)\n"
    "print('format', string.format('%5.2f|%d|%x|%q', math.pi, 2^31 // 3, 48879, 'a\\nb'))\n"
    "local ok, err = pcall(function() error({code = 42}) end)\n"
    "print('pcall', ok, type(err), err.code)\n"
    "local ok2, msg = pcall(function() local z = nil; return z.field end)\n"
    "print('error', ok2, (msg:gsub('^.-:%d+: ', '')))\n"
    "local fib = {}\n"
    "local function f(n) if n < 2 then return n end; if fib[n] then return fib[n] end;"
    " local v = f(n - 1) + f(n - 2); fib[n] = v; return v end\n"
    "print('fib', f(80), math.type(f(80)), 7 / 2, 7 // 2, 2^0.5)\n"
    "local words = {}\n"
    "for w in ('one two three two one two'):gmatch('%a+') do words[w] = (words[w] or 0) + 1 end\n"
    "local keys = {}; for k in pairs(words) do keys[#keys + 1] = k end; table.sort(keys)\n"
    "for _, k in ipairs(keys) do io.write(k, '=', words[k], ' ') end; print()\n"
    "return #t\n";

int main(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (luaL_dostring(L, script) != LUA_OK) {
        printf("lua error: %s\n", lua_tostring(L, -1));
        lua_close(L);
        return 1;
    }
    int n = (int)lua_tointeger(L, -1);
    lua_close(L);
    printf("lua done %d\n", n);
    return n == 20 ? 0 : 2;
}
