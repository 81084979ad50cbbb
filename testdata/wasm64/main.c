/* A freestanding wasm64 program: 64-bit pointers in code and data,
   function pointers through the 64-bit table, 128-bit arithmetic from
   compiler-rt's wasm64 builtins, constructors, .bss, thread-local data
   (in a single-threaded link) and the stack. */
#include "host.h"

void *bump_alloc(size_t n);
unsigned char *heap_start(void);
unsigned char *data_end(void);
const char *greeting(void);

struct op {
  const char *name;
  long long (*fn)(long long, long long);
};

static long long add(long long a, long long b) { return a + b; }
static long long mul(long long a, long long b) { return a * b; }
static long long sub(long long a, long long b) { return a - b; }

/* Function and string pointers in data: TABLE_INDEX_I64, MEMORY_ADDR_I64. */
static const struct op ops[] = {{"add", add}, {"mul", mul}, {"sub", sub}};
const char *const words[] = {"alpha", "beta", "gamma", 0};
const char **word_ptr = (const char **)&words[1];

long long counter = 7;
char zeroed[4096];
_Thread_local int tls_value = 11;

static int ctor_ran;
__attribute__((constructor)) static void init(void) { ctor_ran = 40 + 2; }

const char *greeting(void) { return "strong greeting\n"; }

__attribute__((noinline)) static unsigned long long deep(int n, volatile char *prev) {
  volatile char frame[256];
  frame[0] = (char)n;
  if (n == 0) return (unsigned long long)(prev - frame);
  return deep(n - 1, frame);
}

int main(void) {
  print_str(greeting());
  print_str("ctor: ");
  print_u64(ctor_ran);
  print_str("\n");

  /* Calls through a variable index: the 64-bit table. */
  for (int i = 0; i < 3; i++) {
    print_str(ops[i].name);
    print_str(" ");
    print_u64((unsigned long long)ops[(i + (int)counter) % 3].fn(counter, 5));
    print_str("\n");
  }
  long long (*volatile fp)(long long, long long) = mul;
  print_str("fp: ");
  print_u64((unsigned long long)fp(6, 7));
  print_str("\n");

  for (const char *const *w = words; *w; w++) {
    print_str(*w);
    print_str(w == word_ptr ? "*\n" : "\n");
  }

  /* 128-bit division and multiplication: __udivti3, __umodti3, __multi3. */
  unsigned __int128 big = (unsigned __int128)0x123456789abcdefULL * 0xfedcba987654321ULL;
  volatile unsigned long long d = 1000000007;
  print_str("u128: ");
  print_hex((unsigned long long)(big >> 64));
  print_str(" ");
  print_hex((unsigned long long)big);
  print_str(" / d = ");
  print_u64((unsigned long long)(big / d));
  print_str(" rem ");
  print_u64((unsigned long long)(big % d));
  print_str("\n");
  /* long double (binary128 in software): __multf3, __fixtfdi, ... */
  volatile long double x = 1.5L;
  print_str("ld: ");
  print_u64((unsigned long long)(x * x * 1000.0L));
  print_str("\n");

  /* .bss is zero, the heap starts after the static data. */
  unsigned long long sum = 0;
  for (int i = 0; i < (int)sizeof zeroed; i++) sum += (unsigned char)zeroed[i];
  print_str("bss sum: ");
  print_u64(sum);
  print_str("\nheap after data: ");
  print_str(heap_start() >= data_end() ? "yes\n" : "no\n");
  char *p = bump_alloc(100);
  char *q = bump_alloc(10);
  print_str("heap step: ");
  print_u64((unsigned long long)(q - p));
  print_str("\n");

  print_str("tls: ");
  tls_value += 1;
  print_u64((unsigned long long)tls_value);
  print_str("\n");

  print_str("stack frames: ");
  print_u64(deep(3, 0) > 0 ? 1 : 0);
  print_str("\n");
  return (int)(counter + 1);
}

/* The entry point: runs the constructors, then main; the exit code is
   main's result. */
void __wasm_call_ctors(void);
int run(void) {
  __wasm_call_ctors();
  return main();
}
