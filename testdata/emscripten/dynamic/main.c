// A main module (emcc -sMAIN_MODULE=2) linked against side.wasm, which the
// loader loads at start-up.
#include <stdio.h>
int main_value = 7;
extern int side_add(int);
extern const char *side_name(void);
int main(int argc, char **argv) {
  printf("%s %d\n", side_name(), side_add(argc));
  return 0;
}
