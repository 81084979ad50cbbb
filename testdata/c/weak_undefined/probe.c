#include <stddef.h>

#include "probe.h"

/* Static initializers holding addresses of weak undefined symbols (data relocations). */
static void (*const maybe_ptr)(void) = maybe;
static int *const data_ptr = &maybe_data;

int probe_count_present(void) {
    int n = 0;
    n += maybe_ptr != NULL;
    n += maybe_add != NULL;
    n += data_ptr != NULL;
    n += maybe_array != NULL;
    return n;
}

void *probe_data_address(void) { return data_ptr; }
