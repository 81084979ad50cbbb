#include <string.h>

#include "cmp.h"

int cmp_int_asc(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int cmp_int_desc(const void *a, const void *b) {
    return cmp_int_asc(b, a);
}

int cmp_double_asc(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static long op_add(long a, long b) { return a + b; }
static long op_sub(long a, long b) { return a - b; }
static long op_mul(long a, long b) { return a * b; }
static long op_mod(long a, long b) { return b ? a % b : 0; }

const struct binop binops[] = {
    {"add", op_add},
    {"sub", op_sub},
    {"mul", op_mul},
    {"mod", op_mod},
    {"gcd", op_gcd}, /* lives in main.c */
};
const size_t binop_count = sizeof binops / sizeof binops[0];
