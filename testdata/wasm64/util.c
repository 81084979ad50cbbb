/* Output helpers and a bump allocator on __heap_base: a second object,
   so calls, data and function pointers cross objects. */
#include "host.h"

extern unsigned char __heap_base;
extern unsigned char __data_end;
static unsigned char *heap_top;

size_t str_len(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

void print_str(const char *s) { host_print(s, str_len(s)); }

void print_u64(unsigned long long v) {
  char buf[24];
  int i = 23;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  print_str(&buf[i]);
}

static const char digits[] = "0123456789abcdef";

void print_hex(unsigned long long v) {
  char buf[20];
  int i = 19;
  buf[i] = 0;
  do {
    buf[--i] = digits[v & 15];
    v >>= 4;
  } while (v);
  print_str(&buf[i]);
}

void *bump_alloc(size_t n) {
  if (!heap_top) heap_top = &__heap_base;
  void *p = heap_top;
  heap_top += (n + 15) & ~(size_t)15;
  return p;
}

/* Pointers to the heap's start and the end of static data, for the
   program to check their order. */
unsigned char *heap_start(void) { return &__heap_base; }
unsigned char *data_end(void) { return &__data_end; }

/* A weak default the main object overrides. */
__attribute__((weak)) const char *greeting(void) { return "weak greeting\n"; }

/* Debian's compiler-rt is built with -fstack-protector: its wasm64
   builtins need these, which a libc would otherwise provide. */
unsigned long __stack_chk_guard = 0x5eed5eed5eed5eedUL;
__attribute__((noreturn)) void __stack_chk_fail(void) {
  print_str("stack smashed\n");
  __builtin_trap();
}
