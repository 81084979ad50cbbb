/* String merging (wasm-ld at -O1+): strings1.c and strings2.c share
 * strings, and "nice day" ends "have a nice day", so -O1 tail-merges it. */
const char *greeting(void) { return "hello, world"; }
const char *farewell(void) { return "have a nice day"; }
