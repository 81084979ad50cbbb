#include <stdio.h>

#include "pick.h"

int pick_a_calls;

__attribute__((constructor)) static void pick_a_ctor(void) {
    puts("pick_a constructor (pick_a.o extracted, expected)");
}

const char *pick_a_describe(int x, char *buf, int len) {
    pick_a_calls++;
    snprintf(buf, (size_t)len, "pick_a(%d) -> pick_b_scale = %d", x, pick_b_scale(x));
    return buf;
}
