// C++ with Emscripten's libc++: a static object's constructor and
// destructor, std::sort, std::map, std::unordered_map, virtual calls through
// std::unique_ptr, iostream and std::to_string. Exits 0.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct Global {
    Global() { std::cout << "static ctor\n"; }
    ~Global() { std::cout << "static dtor\n"; }
};
static Global g;

struct Base {
    virtual ~Base() {}
    virtual int f() const = 0;
};
struct D1 : Base {
    int f() const override { return 1; }
};
struct D2 : Base {
    int f() const override { return 2; }
};

int main() {
    std::vector<int> v{5, 3, 9, 1};
    std::sort(v.begin(), v.end());
    std::map<std::string, int> m{{"a", 1}, {"b", 2}};
    std::unordered_map<int, std::string> um;
    um[3] = "three";
    std::vector<std::unique_ptr<Base>> bs;
    bs.emplace_back(new D1);
    bs.emplace_back(new D2);
    int s = 0;
    for (auto &b : bs) s += b->f();
    std::cout << "sorted:";
    for (int x : v) std::cout << ' ' << x;
    std::cout << '\n';
    std::cout << "map b=" << m["b"] << " um=" << um[3] << " virt=" << s << std::endl;
    std::string str = "concat";
    str += std::to_string(42);
    std::cout << str << std::endl;
    return 0;
}
