// Subject of the --why-live and --size-report tests (linked with --no-entry,
// no libc): every kind of GC root and of reference edge.
__attribute__((noinline)) int leaf(int x) { return x + 1; }
__attribute__((noinline)) int via_table(int x) { return x - 1; }
// Data holding a function's table slot: data -> function.
int (*volatile fn_table[1])(int) = {via_table};
// NO_STRIP root.
__attribute__((used)) int kept_by_used(void) { return 42; }
// Constructor of a command-line object.
volatile int ctor_ran;
__attribute__((constructor)) void init_explain(void) { ctor_ran = 1; }
// RETAIN segment (static: its NO_STRIP flag is on a local symbol, not a root).
__attribute__((retain, used)) static const char retained_blob[] = "retain me";
// Nothing references it: removed by --gc-sections.
int unused_fn(int x) { return x * 7; }
// Defined in libexplain.a(helper.o), extracted by this call.
int lib_helper(int x);
// Written in assembly (explain_asm.s): a global and a tag.
void use_global_and_tag(void);

__attribute__((export_name("go"))) int go(int i) {
    use_global_and_tag();
    return leaf(i) + fn_table[0](i) + ctor_ran + lib_helper(i);
}
