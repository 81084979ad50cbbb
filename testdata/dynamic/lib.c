// A side module (`-shared`): its own data and pointers into it, a function
// pointer into its own code, a pointer to the main module's data and code
// (GOT imports), and a weak definition the main module overrides.
extern void host_print(int) __attribute__((import_module("env"), import_name("host_print")));
extern int main_counter;
extern int main_twice(int);

int lib_value = 40;
static int table[4] = {1, 2, 3, 4};
int *lib_ptr = &table[2];
const char *lib_msg = "side";
static int square(int x) { return x * x; }
int (*lib_op)(int) = square;
int (*lib_cb)(int) = main_twice;
int *lib_main_counter = &main_counter;

__attribute__((weak)) int overridable(void) { return 1; }

int lib_compute(int x) {
  main_counter += 1;
  return lib_op(x) + *lib_ptr + lib_cb(x) + *lib_main_counter + overridable() + lib_msg[0] + lib_value;
}

static int lib_initialized;
__attribute__((constructor)) static void lib_init(void) { lib_initialized = 1; }
int lib_ready(void) { return lib_initialized; }
