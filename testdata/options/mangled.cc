// C++ names for --demangle / --no-demangle, -Map and -y: a namespace, an
// overload, data, a weak undefined function and a constructor.
namespace shapes {
int area(int w, int h) { return w * h; }
double area(double r) { return 3.0 * r * r; }
} // namespace shapes

int table[4] = {1, 2, 3, 4};
static int zeroes[8];
int lookup(int i) { return table[i & 3] + zeroes[i & 7]; }

__attribute__((weak)) int optional_hook(int);

struct Counter {
  int n;
  Counter() : n(7) {}
};
Counter counter;

extern "C" int run() {
  int r = shapes::area(2, 3) + int(shapes::area(1.0)) + lookup(1) + counter.n;
  if (optional_hook)
    r += optional_hook(r);
  return r;
}
