/* The host's output import: writes len bytes at ptr (both 64-bit). */
#ifndef HOST_H
#define HOST_H
typedef unsigned long size_t;
__attribute__((import_module("env"), import_name("print"))) void host_print(const char *ptr, size_t len);
void print_str(const char *s);
void print_u64(unsigned long long v);
void print_hex(unsigned long long v);
#endif
