#include <stdio.h>

#include "pick.h"

__attribute__((constructor)) static void pick_d_ctor(void) {
    puts("pick_d constructor -- WRONG: pick_d.o must not be extracted");
}

/* Also defined (strongly) in main.c: extracting this member is a duplicate symbol error. */
const char *shared_name(void) { return "shared_name from pick_d.o -- WRONG"; }

int pick_d_unused_data = 99;
