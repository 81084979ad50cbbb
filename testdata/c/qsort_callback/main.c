#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp.h"

long op_gcd(long a, long b) {
    while (b != 0) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* Comparator chosen at run time through a local table of function pointers. */
static int (*const int_cmps[2])(const void *, const void *) = {cmp_int_asc, cmp_int_desc};

static void print_ints(const char *label, const int *v, size_t n) {
    printf("%-6s:", label);
    for (size_t i = 0; i < n; i++)
        printf(" %d", v[i]);
    putchar('\n');
}

int main(void) {
    int nums[] = {42, -7, 19, 0, 1024, 3, -300, 19, 77, 5};
    size_t n = sizeof nums / sizeof nums[0];

    for (int dir = 0; dir < 2; dir++) {
        qsort(nums, n, sizeof nums[0], int_cmps[dir]);
        print_ints(dir == 0 ? "asc" : "desc", nums, n);
    }

    /* Pseudo-random data, sorted, then searched with bsearch. */
    int rnd[32];
    unsigned seed = 12345u;
    for (size_t i = 0; i < 32; i++) {
        seed = seed * 1103515245u + 12345u;
        rnd[i] = (int)((seed >> 16) % 1000);
    }
    qsort(rnd, 32, sizeof rnd[0], cmp_int_asc);
    print_ints("rnd", rnd, 32);
    int key = rnd[17];
    int *hit = bsearch(&key, rnd, 32, sizeof rnd[0], cmp_int_asc);
    printf("bsearch(%d) -> %s\n", key, hit && *hit == key ? "found" : "missing");

    double ds[] = {3.14159, -2.5, 1e-3, 2.718281828, 100.0, -0.125};
    size_t nd = sizeof ds / sizeof ds[0];
    qsort(ds, nd, sizeof ds[0], cmp_double_asc);
    for (size_t i = 0; i < nd; i++)
        printf("d[%zu] = %9.4f | %-12.3e | %g\n", i, ds[i], ds[i], ds[i]);

    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "apricot"};
    size_t nw = sizeof words / sizeof words[0];
    qsort(words, nw, sizeof words[0], cmp_str);
    for (size_t i = 0; i < nw; i++)
        printf("[%-8s] [%8s] len=%zu\n", words[i], words[i], strlen(words[i]));

    for (size_t i = 0; i < binop_count; i++)
        printf("%s(84, 36) = %ld\n", binops[i].name, binops[i].fn(84, 36));

    printf("hex=%#x oct=%o char=%c pct=%% long=%lld\n", 48879, 8, 'Z', -1234567890123LL);
    return 0;
}
