/* Thread-local storage and shared memory (--shared-memory), built with
 * -matomics -mbulk-memory: a _Thread_local with an initial value, a
 * zero-initialised one, a thread-local pointer to shared data (a .tdata
 * relocation), ordinary .data and .bss. `tls_init` sets up another
 * thread's block with __wasm_init_tls. */
extern void __wasm_init_tls(void *block);

int shared_counter = 7;
int shared_zero;
_Thread_local int tl_value = 5;
_Thread_local int tl_zero;
_Thread_local int *tl_ptr = &shared_counter;

int tl_get(void) { return tl_value + tl_zero + *tl_ptr + shared_zero; }
void tl_set(int v) { tl_value = v; tl_zero = v; shared_zero = v; }
void *tl_address(void) { return &tl_value; }
void tl_init(void *block) { __wasm_init_tls(block); }
