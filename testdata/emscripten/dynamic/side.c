// A side module (emcc -sSIDE_MODULE=1): data, a pointer to its own static
// function (a table slot relocated at load time), and a reference to the
// main module's data (a GOT import).
int side_counter = 10;
static int helper(int x) { return x * 3; }
int (*side_fp)(int) = helper;
extern int main_value;
int side_add(int x) {
  side_counter += x;
  return side_fp(x) + side_counter + main_value;
}
const char *side_name(void) { return "side module"; }
