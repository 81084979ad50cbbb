#include "shapes.h"

#include <cstdio>

namespace {

int g_live = 0;

class Circle : public Shape {
public:
    explicit Circle(double r) : r_(r) { ++g_live; }
    ~Circle() override { --g_live; }
    double area() const override { return 3.14159265358979 * r_ * r_; }
    std::string name() const override { return "circle"; }
    std::string describe() const override { return "circle r=" + std::to_string(static_cast<int>(r_)); }

private:
    double r_;
};

class Rect : public Shape {
public:
    Rect(double w, double h) : w_(w), h_(h) { ++g_live; }
    ~Rect() override { --g_live; }
    double area() const override { return w_ * h_; }
    std::string name() const override { return "rect"; }

protected:
    double w_, h_;
};

class Square final : public Rect {
public:
    explicit Square(double s) : Rect(s, s) {}
    std::string name() const override { return "square"; }
};

} // namespace

Shape::~Shape() = default;

std::string Shape::describe() const {
    return name() + " (base describe)";
}

Registry::Registry(const char *owner) : owner_(owner) {
    std::printf("global ctor: Registry(%s)\n", owner);
}

Registry::~Registry() {
    std::printf("global dtor: ~Registry(%s) with %zu entries\n", owner_.c_str(), entries_.size());
}

void Registry::add(const std::string &entry) {
    entries_.push_back(owner_ + ":" + entry);
}

Registry shape_registry("shapes.cc");

std::vector<std::unique_ptr<Shape>> make_shapes() {
    std::vector<std::unique_ptr<Shape>> v;
    v.push_back(std::make_unique<Rect>(3, 4));
    v.push_back(std::make_unique<Circle>(2));
    v.push_back(std::make_unique<Square>(5));
    v.push_back(std::make_unique<Circle>(1));
    v.push_back(std::make_unique<Rect>(2.5, 8));
    for (const auto &s : v)
        shape_registry.add(s->name());
    return v;
}

int live_shapes() {
    return g_live;
}
