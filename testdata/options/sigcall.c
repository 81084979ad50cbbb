// Calls `callee` as int(int); sigdef.c defines it as int(void): wasm-ld
// warns "function signature mismatch" (what --fatal-warnings turns into an error).
int callee(int);
__attribute__((export_name("run"))) int run(void) { return callee(3); }
