#ifndef CPP_FEATURES_SHAPES_H
#define CPP_FEATURES_SHAPES_H

#include <memory>
#include <string>
#include <vector>

class Shape {
public:
    virtual ~Shape();
    virtual double area() const = 0;
    virtual std::string name() const = 0;
    virtual std::string describe() const; // not overridden by every subclass
};

// Defined in shapes.cc; main.cc only sees the base class.
std::vector<std::unique_ptr<Shape>> make_shapes();
int live_shapes();

// A global object with a constructor and destructor lives in each .cc file.
class Registry {
public:
    explicit Registry(const char *owner);
    ~Registry();
    void add(const std::string &entry);
    const std::vector<std::string> &entries() const { return entries_; }

private:
    std::string owner_;
    std::vector<std::string> entries_;
};

extern Registry shape_registry;

#endif
