/* A data segment named like a C identifier ("mysec"), whose bounds
 * __start_mysec / __stop_mysec can be exported (--export,
 * --export-if-defined), as emcc does for its em_asm section. */
__attribute__((section("mysec"))) const int mysec_items[2] = {7, 9};

__attribute__((visibility("default"))) const int *first_item(void) { return mysec_items; }
