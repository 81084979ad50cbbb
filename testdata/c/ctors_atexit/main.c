#include <stdio.h>
#include <stdlib.h>

#include "trace.h"

int trace_count;
static char order[64];

void trace(const char *what) {
    order[trace_count] = (char)('A' + trace_count);
    trace_count++;
    printf("[%d] %s\n", trace_count, what);
}

__attribute__((constructor(200))) static void main_ctor_200(void) {
    trace("main.c constructor(200)");
}

__attribute__((constructor)) static void main_ctor_default(void) {
    trace("main.c constructor (default priority)");
}

__attribute__((destructor)) static void main_dtor_default(void) {
    puts("main.c destructor (default priority)");
}

__attribute__((destructor(200))) static void main_dtor_200(void) {
    puts("main.c destructor(200)");
}

static void first_registered(void) { puts("atexit #1 (registered first, runs last of main's)"); }
static void second_registered(void) { puts("atexit #2 (registered second)"); }
static void third_registered(void) {
    puts("atexit #3 (registered last, runs first)");
    /* Output buffered at exit must still be flushed by libc. */
    printf("trace_count at exit = %d", trace_count);
    printf(" (no newline before the next handler)\n");
}

int main(void) {
    printf("main: %d constructors ran before main, order %s\n", trace_count, order);
    atexit(first_registered);
    atexit(second_registered);
    atexit(third_registered);
    puts("main: returning 5");
    return 5;
}
