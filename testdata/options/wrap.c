#include <stdio.h>
int foo(void) { return 1; }
int __real_foo(void);
int __wrap_foo(void) { return 100 + __real_foo(); }
int main(void) { printf("%d\n", foo()); return 0; }
