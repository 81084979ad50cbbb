/* See strings1.c. */
const char *greeting(void);
const char *farewell(void);
const char *again(void) { return "hello, world"; }
const char *tail(void) { return "nice day"; }
__attribute__((visibility("default"))) int total(void) {
    return greeting()[0] + farewell()[1] + again()[2] + tail()[3];
}
