/* C with Emscripten's libc: a constructor, the heap, printf of integers,
 * strings and a double, argc (the test passes two arguments) and a
 * non-zero exit status (3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int counter;

__attribute__((constructor)) static void init(void) { counter = 41; }

int main(int argc, char **argv) {
    (void)argv;
    counter++;
    char *p = malloc(32);
    if (!p) return 1;
    strcpy(p, "heap ok");
    printf("hello, world %d %s argc=%d\n", counter, p, argc);
    double d = 3.25 * counter;
    printf("float %.3f\n", d);
    free(p);
    return 3;
}
