#include <stdio.h>

#include "pick.h"

/* Weak reference: satisfies nothing, so the archive member defining it stays out. */
extern void pick_c_hook(void) __attribute__((weak));

const char *shared_name(void) { return "shared_name from main.o"; }

int main(void) {
    char buf[96];
    puts("main: start");
    for (int i = 1; i <= 3; i++)
        printf("main: %s\n", pick_a_describe(i * 10, buf, (int)sizeof buf));
    printf("main: pick_a_calls = %d\n", pick_a_calls);
    printf("main: %s\n", shared_name());
    if (pick_c_hook)
        pick_c_hook();
    else
        puts("main: pick_c_hook is NULL (weak reference did not extract pick_c.o)");
    return 0;
}
