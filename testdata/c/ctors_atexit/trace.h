#ifndef CTORS_ATEXIT_TRACE_H
#define CTORS_ATEXIT_TRACE_H

/* Records the order in which constructors run (defined in main.c). */
void trace(const char *what);
extern int trace_count;

#endif
