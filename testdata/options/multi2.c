// A second strong definition of `dup` (returns 2).
int dup(void) { return 2; }
