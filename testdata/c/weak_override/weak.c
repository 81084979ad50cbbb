#include "decls.h"

__attribute__((weak)) int config_value = 1;
__attribute__((weak)) const char fallback_msg[] = "weak-only data from weak.c";

__attribute__((weak)) const char *flavor(void) { return "weak flavor (weak.c) -- WRONG"; }
__attribute__((weak)) const char *tie(void) { return "tie from weak.c -- WRONG"; }
__attribute__((weak)) const char *lonely(void) { return "weak-only lonely() from weak.c"; }

/* Same-object references to weak definitions that get overridden. */
const char *weak_c_flavor(void) { return flavor(); }
int weak_c_config(void) { return config_value; }
