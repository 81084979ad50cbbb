/* C with zig's wasi-libc: formatted stdio to stdout and stderr, heap
 * allocation, qsort, a string buffer, and a non-zero exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void) {
    int n = 12;
    int *v = malloc(n * sizeof *v);
    if (!v) return 1;
    unsigned seed = 12345;
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int)((seed >> 16) % 1000);
    }
    qsort(v, n, sizeof *v, cmp_int);
    printf("sorted:");
    long sum = 0;
    for (int i = 0; i < n; i++) {
        printf(" %d", v[i]);
        sum += v[i];
    }
    printf("\n");
    char buf[64];
    snprintf(buf, sizeof buf, "%s|%5.2f|%-4x|%ld", "zig", 3.14159, 255, sum);
    printf("formatted: [%s] (%zu chars)\n", buf, strlen(buf));
    fprintf(stderr, "stderr: min=%d max=%d\n", v[0], v[n - 1]);
    free(v);
    return (int)(sum % 5) + 1;
}
