// Defines `dup` (returns 1) and the export `run`; multi2.c defines `dup` too.
int dup(void) { return 1; }
__attribute__((export_name("run"))) int run(void) { return dup(); }
