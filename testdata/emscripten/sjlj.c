/* setjmp/longjmp (Emscripten's JavaScript-based implementation, which the
 * link line's `-mllvm -enable-emscripten-sjlj` asks for): longjmp out of a
 * recursion, twice. Exits 0. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf buf;

static void deep(int n) {
    if (n == 0) longjmp(buf, 42);
    deep(n - 1);
}

int main(void) {
    volatile int count = 0;
    int r = setjmp(buf);
    printf("setjmp returned %d count %d\n", r, count);
    if (count++ < 2) deep(5);
    printf("done %d\n", count);
    return 0;
}
