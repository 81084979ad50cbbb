/* References a function that no input defines: linking this object alone
 * must fail with "undefined symbol: missing_fn" naming undef.o. */
void missing_fn(void);

void _start(void) {
    missing_fn();
}
