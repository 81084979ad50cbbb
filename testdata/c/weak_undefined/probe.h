#ifndef WEAK_UNDEFINED_PROBE_H
#define WEAK_UNDEFINED_PROBE_H

/* None of these is defined anywhere in the link. */
extern void maybe(void) __attribute__((weak));
extern int maybe_add(int, int) __attribute__((weak));
extern int maybe_data __attribute__((weak));
extern const char maybe_array[] __attribute__((weak));

/* Defined in probe.c: answers from another object that references the same weak symbols. */
int probe_count_present(void);
void *probe_data_address(void);

#endif
