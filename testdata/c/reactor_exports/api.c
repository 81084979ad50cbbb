#include <stdio.h>

#include "host.h"

int api_ready;

__attribute__((constructor)) static void api_init(void) {
    api_ready = 7;
}

/* Exported, but never called from inside the module: must survive --gc-sections. */
__attribute__((export_name("api_version"))) int api_version(void) {
    return 3;
}

__attribute__((export_name("mul_add"))) int mul_add(int a, int b, int c) {
    return host_add(a * b, c);
}
