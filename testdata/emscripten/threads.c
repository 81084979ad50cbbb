/* pthreads (built with -pthread, so shared memory and thread-local
 * storage): four threads each add their own copy of a _Thread_local to an
 * atomic total (5+0 + 5+1 + 5+2 + 5+3 = 26); the main thread's copy stays 5.
 * Exits 0. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int total;
static _Thread_local int tl = 5;

static void *work(void *arg) {
    tl += (int)(long)arg;
    atomic_fetch_add(&total, tl);
    return 0;
}

int main(void) {
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, work, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
    printf("total %d tl %d\n", atomic_load(&total), tl);
    return 0;
}
