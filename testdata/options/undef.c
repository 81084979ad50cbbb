// Calls two functions nothing defines: --allow-undefined and
// --allow-undefined-file turn them into imports.
extern int host_add(int, int);
extern int host_mul(int, int);

__attribute__((export_name("run"))) int run(int x) { return host_add(x, 1) + host_mul(x, 2); }
