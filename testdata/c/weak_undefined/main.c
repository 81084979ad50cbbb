#include <stdio.h>

#include "probe.h"

/* A weak *defined* function for contrast: it must be non-null. */
__attribute__((weak)) int present(void) { return 7; }

struct slot {
    const char *name;
    const void *addr;
};

static const struct slot slots[] = {
    {"maybe", (const void *)maybe},
    {"maybe_add", (const void *)maybe_add},
    {"maybe_data", &maybe_data},
    {"maybe_array", maybe_array},
    {"present", (const void *)present},
};

int main(void) {
    if (maybe) {
        puts("maybe() is defined -- calling it (WRONG)");
        maybe();
    } else {
        puts("maybe is NULL, not calling it");
    }

    int sum = maybe_add ? maybe_add(1, 2) : -1;
    printf("maybe_add ? maybe_add(1, 2) : -1 -> %d\n", sum);

    if (&maybe_data == NULL)
        puts("&maybe_data == NULL");
    else
        printf("&maybe_data != NULL, value %d (WRONG)\n", maybe_data);

    printf("maybe_array is %s\n", maybe_array ? "non-null (WRONG)" : "NULL");

    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        printf("slot %-11s -> %s\n", slots[i].name, slots[i].addr ? "non-null" : "null");

    printf("present() = %d\n", present ? present() : -1);
    printf("probe.c sees %d of 4 weak symbols present, data address %s\n",
           probe_count_present(), probe_data_address() ? "non-null" : "null");
    return 3;
}
