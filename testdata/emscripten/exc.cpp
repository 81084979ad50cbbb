// C++ exceptions (built with -fexceptions, Emscripten's JavaScript scheme,
// and with -fwasm-exceptions): a std::runtime_error thrown through a frame
// with a destructor to run, caught by base class, and a thrown int. Exits
// with the number of runtime errors caught (2).
#include <iostream>
#include <stdexcept>
#include <string>

struct R {
    std::string n;
    R(std::string s) : n(s) {}
    ~R() { std::cout << "unwind " << n << "\n"; }
};

int thrower(int x) {
    R r("thrower");
    if (x > 2) throw std::runtime_error("boom " + std::to_string(x));
    return x;
}

int main() {
    int caught = 0;
    for (int i = 0; i < 5; i++) {
        try {
            thrower(i);
        } catch (const std::exception &e) {
            std::cout << "caught: " << e.what() << "\n";
            caught++;
        }
    }
    try {
        throw 7;
    } catch (int v) {
        std::cout << "int " << v << "\n";
    }
    std::cout << "caught " << caught << "\n";
    return caught;
}
