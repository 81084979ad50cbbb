// Calls `compute_totl` (a typo): nothing defines it, totals.c defines
// `compute_total`. The undefined-symbol error suggests the near name.
int compute_totl(int);
extern int table_size;
__attribute__((export_name("run"))) int run(int x) { return compute_totl(x) + table_size; }
