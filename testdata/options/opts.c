// Subject of most option tests (linked with --no-entry, no libc): data in
// .data / .rodata / .bss, a default-visibility function nothing calls, a
// hidden function reached through the table, and one export_name root.
// (clang's default visibility for wasm is hidden.)
__attribute__((visibility("default"))) int counter = 7;
int zeroes[16];
const char message[] = "hello";
int (*volatile fptr)(int);

__attribute__((visibility("default"))) int visible_fn(int x) { return x + 1; }
__attribute__((visibility("hidden"))) int hidden_fn(int x) { return x * 2; }
__attribute__((visibility("hidden"))) int dead_hidden_fn(int x) { return x * 3; }

__attribute__((export_name("run"))) int run(int x) {
    fptr = hidden_fn;
    return fptr(x) + counter + zeroes[x & 15] + message[x & 3];
}
