#include "pick.h"

static int scale_table[4] = {3, 5, 7, 11};

int pick_b_scale(int x) {
    /* Back-reference into pick_a.o: the two members need each other. */
    return x * scale_table[pick_a_calls & 3];
}
