/* Compiled with -fPIC (case.txt): data through GOT entries and
 * __memory_base-relative addresses, function pointers through
 * __table_base-relative table slots, linked into a static module. */
#include <stdio.h>

int counter = 5;
extern int other;
extern int shared_table[4];

int add(int a) { return a + counter + other; }
static int square(int x) { return x * x; }
static int twice(int x) { return 2 * x; }
int (*pick(int which))(int) { return which ? square : twice; }
int *counter_ptr(void) { return &counter; }
const char *message(void) { return "position-independent hello"; }
int sum_table(void) {
    int s = 0;
    for (int i = 0; i < 4; i++) s += shared_table[i];
    return s;
}
void report(void) { printf("counter=%d other=%d\n", counter, other); }
