// Archive member (liblazy.a) / --start-lib object nothing references: its
// export shows whether it was linked.
__attribute__((export_name("lazy_fn"))) int lazy_fn(void) { return 5; }
