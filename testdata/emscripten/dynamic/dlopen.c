// A main module (emcc -sMAIN_MODULE=1) that loads side.wasm with dlopen.
#include <dlfcn.h>
#include <stdio.h>
int main_value = 7;
int main(int argc, char **argv) {
  void *h = dlopen("side.wasm", RTLD_NOW);
  if (!h) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  int (*add)(int) = (int (*)(int))dlsym(h, "side_add");
  const char *(*name)(void) = (const char *(*)(void))dlsym(h, "side_name");
  int *counter = (int *)dlsym(h, "side_counter");
  printf("%s %d counter=%d\n", name(), add(argc), *counter);
  return 0;
}
