#include <stdio.h>

#include "pick.h"

__attribute__((constructor)) static void pick_c_ctor(void) {
    puts("pick_c constructor -- WRONG: pick_c.o must not be extracted");
}

void pick_c_hook(void) {
    puts("pick_c_hook -- WRONG: a weak reference must not extract pick_c.o");
}
