#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "shapes.h"

namespace {

struct Tracer {
    explicit Tracer(const char *tag) : tag(tag) { std::printf("global ctor: Tracer(%s)\n", tag); }
    ~Tracer() { std::printf("global dtor: ~Tracer(%s)\n", tag); }
    const char *tag;
};

Tracer main_tracer("main.cc");
const std::string kSentence = "the quick brown fox jumps over the lazy dog the end";

} // namespace

int main() {
    std::cout << "main: start, tracer=" << main_tracer.tag << '\n';

    // Virtual dispatch through base pointers; the classes live in shapes.cc.
    {
        auto shapes = make_shapes();
        std::cout << "live shapes: " << live_shapes() << '\n';
        std::stable_sort(shapes.begin(), shapes.end(),
                         [](const auto &a, const auto &b) { return a->area() < b->area(); });
        double total = 0;
        for (const auto &s : shapes) {
            std::cout << std::left << std::setw(8) << s->name() << std::right << std::fixed
                      << std::setprecision(3) << std::setw(10) << s->area() << "  " << s->describe() << '\n';
            total += s->area();
        }
        std::cout << "total area: " << std::setprecision(2) << total << '\n';
    }
    std::cout << "live shapes after scope: " << live_shapes() << '\n';

    // std::map + std::string: word frequencies.
    std::map<std::string, int> freq;
    std::istringstream in(kSentence);
    for (std::string w; in >> w;)
        ++freq[w];
    std::string joined;
    for (const auto &[word, count] : freq)
        joined += word + "=" + std::to_string(count) + " ";
    joined.pop_back();
    std::cout << "freq: " << joined << '\n';
    std::cout << "longest word: "
              << std::max_element(freq.begin(), freq.end(),
                                  [](const auto &a, const auto &b) { return a.first.size() < b.first.size(); })
                     ->first
              << '\n';

    // std::vector algorithms.
    std::vector<int> v(12);
    std::iota(v.begin(), v.end(), 1);
    std::transform(v.begin(), v.end(), v.begin(), [](int x) { return (x * 37) % 23; });
    std::sort(v.begin(), v.end(), std::greater<int>());
    std::cout << "sorted desc:";
    for (int x : v)
        std::cout << ' ' << x;
    std::cout << "\nsum=" << std::accumulate(v.begin(), v.end(), 0) << '\n';

    std::cout << "registry:";
    for (const auto &e : shape_registry.entries())
        std::cout << ' ' << e;
    std::cout << '\n';
    std::cout.flush();
    std::printf("main: returning 0\n");
    return 0;
}
