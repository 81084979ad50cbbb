#ifndef REACTOR_EXPORTS_HOST_H
#define REACTOR_EXPORTS_HOST_H

/* Provided by the embedder as import "host" "add": (i32, i32) -> i32, returns a + b. */
__attribute__((import_module("host"), import_name("add"))) int host_add(int a, int b);

/* api.c */
extern int api_ready;
int mul_add(int a, int b, int c);

#endif
