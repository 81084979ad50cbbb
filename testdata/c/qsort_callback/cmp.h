#ifndef QSORT_CALLBACK_CMP_H
#define QSORT_CALLBACK_CMP_H

#include <stddef.h>

/* Comparison callbacks, defined in cmp.c and handed to qsort() from main.c. */
int cmp_int_asc(const void *a, const void *b);
int cmp_int_desc(const void *a, const void *b);
int cmp_double_asc(const void *a, const void *b);
int cmp_str(const void *a, const void *b);

/* A table of named binary operations (function pointers stored in data). */
typedef long (*binop_fn)(long, long);
struct binop {
    const char *name;
    binop_fn fn;
};
extern const struct binop binops[];
extern const size_t binop_count;

/* Defined in main.c, referenced from the table in cmp.c. */
long op_gcd(long a, long b);

#endif
