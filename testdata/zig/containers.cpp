// C++ with zig's libc++ (built without exceptions): iostream, containers,
// algorithms, strings, virtual calls and a static constructor/destructor.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

struct Logger {
    Logger() { std::cout << "static ctor\n"; }
    ~Logger() { std::cout << "static dtor\n"; }
};
static Logger logger;

struct Shape {
    virtual ~Shape() = default;
    virtual int area() const = 0;
    virtual std::string name() const = 0;
};
struct Rect : Shape {
    int w, h;
    Rect(int w, int h) : w(w), h(h) {}
    int area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};
struct Square : Rect {
    explicit Square(int s) : Rect(s, s) {}
    std::string name() const override { return "square"; }
};

int main() {
    std::vector<int> v{9, 4, 7, 1, 8, 2};
    std::sort(v.begin(), v.end());
    std::cout << "sorted:";
    for (int x : v) std::cout << ' ' << x;
    std::cout << "\nsum: " << std::accumulate(v.begin(), v.end(), 0) << '\n';

    std::map<std::string, int> words;
    for (const char *w : {"pear", "fig", "pear", "plum", "fig", "pear"}) ++words[w];
    for (const auto &[w, n] : words) std::cout << w << '=' << n << ' ';
    std::cout << '\n';

    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::make_unique<Rect>(2, 3));
    shapes.push_back(std::make_unique<Square>(4));
    int total = 0;
    for (const auto &s : shapes) {
        std::cout << s->name() << ':' << s->area() << ' ';
        total += s->area();
    }
    std::string tail = "total " + std::to_string(total);
    std::cout << '\n' << tail << std::endl;
    std::cerr << "stderr: " << shapes.size() << " shapes" << std::endl;
    return total % 10;
}
