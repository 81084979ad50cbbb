// A call to a C++ function nothing defines: the undefined-symbol message
// names it demangled (or not, with --no-demangle).
int missing(int);
extern "C" int run() { return missing(1); }
