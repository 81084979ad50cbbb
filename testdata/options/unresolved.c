/* An undefined function and an undefined data symbol, both used:
 * --import-undefined, --unresolved-symbols, --warn-unresolved-symbols. */
extern int ext_fn(int);
extern int ext_data;

int _start(void) { return ext_fn(ext_data); }
