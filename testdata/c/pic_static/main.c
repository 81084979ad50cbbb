/* Non-PIC code calling into lib.c (compiled -fPIC). */
#include <stdio.h>

int other = 7;
int shared_table[4] = {1, 2, 3, 4};
int add(int);
int (*pick(int which))(int);
int *counter_ptr(void);
const char *message(void);
int sum_table(void);
void report(void);
int (*indirect)(int) = add;

int main(void) {
    *counter_ptr() += 10;
    report();
    printf("%s\n", message());
    printf("add=%d square=%d twice=%d table=%d indirect=%d\n", add(1), pick(1)(3), pick(0)(3), sum_table(),
           indirect(2));
    return add(0) == 22 ? 0 : 1;
}
