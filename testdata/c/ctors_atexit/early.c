#include <stdio.h>
#include <stdlib.h>

#include "trace.h"

static void early_atexit(void) {
    puts("atexit handler registered by early.c ctor 101");
}

__attribute__((constructor(101))) static void early_ctor_101(void) {
    trace("early.c constructor(101)");
    atexit(early_atexit);
}

__attribute__((constructor)) static void early_ctor_default(void) {
    trace("early.c constructor (default priority)");
}

__attribute__((destructor)) static void early_dtor_default(void) {
    puts("early.c destructor (default priority)");
}

__attribute__((destructor(101))) static void early_dtor_101(void) {
    puts("early.c destructor(101)");
}
