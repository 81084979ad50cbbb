/* Second (strong) definition of dup_fn; see dup1.c. */
int dup_fn(void) {
    return 2;
}
