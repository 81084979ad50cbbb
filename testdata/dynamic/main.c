// A main module (`-pie`) using the side module's data and functions.
extern void host_print(int) __attribute__((import_module("env"), import_name("host_print")));
extern int lib_value;
extern int *lib_ptr;
extern int lib_compute(int);
extern int lib_ready(void);

int main_counter = 5;
int main_twice(int x) { return 2 * x; }
int overridable(void) { return 100; }

static int local_data[3] = {7, 8, 9};
int *main_ptr = &local_data[1];
int (*main_fp)(int) = lib_compute;

__attribute__((export_name("run"))) void run(void) {
  host_print(lib_ready());
  host_print(lib_value);
  host_print(*lib_ptr);
  host_print(main_fp(3));
  host_print(*main_ptr);
  host_print(main_counter);
}
