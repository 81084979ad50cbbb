// `callee` with a signature different from the one sigcall.c calls.
int callee(void) { return 4; }
