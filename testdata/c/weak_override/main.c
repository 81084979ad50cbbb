#include <stdio.h>

#include "decls.h"

__attribute__((weak)) int limits[4] = {-1, -1, -1, -1};

__attribute__((weak)) const char *who(void) { return "weak who (main.c) -- WRONG"; }
__attribute__((weak)) const char *tie(void) { return "tie from main.c (first in link order)"; }

/* Function pointers taken in the object holding the overridden weak definition. */
static const char *(*const fns[])(void) = {who, flavor, tie, lonely};

int main(void) {
    printf("who()          = %s\n", who());
    printf("flavor()       = %s\n", flavor());
    printf("tie()          = %s\n", tie());
    printf("lonely()       = %s\n", lonely());
    printf("weak_c_flavor  = %s\n", weak_c_flavor());
    for (int i = 0; i < 4; i++)
        printf("fns[%d]()       = %s\n", i, fns[i]());
    printf("config_value   = %d (via weak.c: %d)\n", config_value, weak_c_config());
    printf("limits         = %d %d %d %d\n", limits[0], limits[1], limits[2], limits[3]);
    printf("fallback_msg   = %s\n", fallback_msg);
    int sum = limits[0] + limits[1] + limits[2] + limits[3];
    printf("exit status    = config_value = %d (limits sum %d)\n", config_value, sum);
    return sum == 100 ? config_value : 1;
}
