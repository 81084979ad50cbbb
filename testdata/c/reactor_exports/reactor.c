#include <stdio.h>

#include "host.h"

static int init_value;
static const char *init_note = "constructor did not run";

__attribute__((constructor)) static void reactor_init(void) {
    init_value = 1234;
    init_note = "set by constructor";
}

static int calls;

__attribute__((export_name("run"))) int run(void) {
    calls++;
    printf("run #%d: init_value = %d (%s), api_ready = %d\n", calls, init_value, init_note, api_ready);
    int sum = host_add(init_value, 4321);
    printf("run: host.add(%d, 4321) = %d\n", init_value, sum);
    int ma = mul_add(6, 7, 8);
    printf("run: mul_add(6, 7, 8) = %d\n", ma);
    fflush(stdout);
    return sum + ma;
}
