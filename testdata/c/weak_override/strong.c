#include "decls.h"

int config_value = 42;
int limits[4] = {10, 20, 30, 40};

const char *who(void) { return "strong who (strong.c)"; }
const char *flavor(void) { return "strong flavor (strong.c)"; }
