/* dup1.o and dup2.o both define dup_fn: linking them together must fail with
 * a duplicate symbol error naming dup_fn and both objects. */
int dup_fn(void) {
    return 1;
}

void _start(void) {
    (void)dup_fn();
}
