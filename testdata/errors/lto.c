/* Compiled with -flto: an LLVM bitcode file, which wasmlink rejects
 * ("LTO is not supported") instead of misreading it. */
int lto_answer(void) { return 42; }
void _start(void) { lto_answer(); }
