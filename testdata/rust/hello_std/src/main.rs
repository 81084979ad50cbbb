//! A std program for wasm32-wasip1 that exercises a broad slice of the
//! standard library: collections, formatting (integer and float), closures,
//! trait objects, dynamic dispatch and the allocator. Its output is fully
//! deterministic (HashMap iteration order never reaches stdout), and it exits
//! with status 0 after its own self-checks pass (a failed check panics, which
//! aborts and so traps under panic = "abort").

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

// ---------------------------------------------------------------- trait objects

trait Shape {
    fn name(&self) -> String;
    fn area(&self) -> f64;
    fn perimeter(&self) -> f64;
    /// Default method, overridden by one implementation only.
    fn corners(&self) -> u32 {
        0
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Circle {
    r: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Rect {
    w: f64,
    h: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Triangle {
    a: f64,
    b: f64,
    c: f64,
}

impl Shape for Circle {
    fn name(&self) -> String {
        "circle".to_string()
    }
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.r * self.r
    }
    fn perimeter(&self) -> f64 {
        2.0 * std::f64::consts::PI * self.r
    }
}

impl Shape for Rect {
    fn name(&self) -> String {
        if self.w == self.h {
            "square".into()
        } else {
            "rect".into()
        }
    }
    fn area(&self) -> f64 {
        self.w * self.h
    }
    fn perimeter(&self) -> f64 {
        2.0 * (self.w + self.h)
    }
    fn corners(&self) -> u32 {
        4
    }
}

impl Shape for Triangle {
    fn name(&self) -> String {
        String::from("triangle")
    }
    fn area(&self) -> f64 {
        // Heron's formula.
        let s = self.perimeter() / 2.0;
        (s * (s - self.a) * (s - self.b) * (s - self.c)).sqrt()
    }
    fn perimeter(&self) -> f64 {
        self.a + self.b + self.c
    }
    fn corners(&self) -> u32 {
        3
    }
}

// ---------------------------------------------------------------- Display / Debug

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Vowel,
    Consonant,
    Other,
}

struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<i32>,
}

impl fmt::Display for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in 0..self.rows {
            write!(f, "[")?;
            for c in 0..self.cols {
                if c > 0 {
                    write!(f, " ")?;
                }
                write!(f, "{:>4}", self.data[r * self.cols + c])?;
            }
            writeln!(f, "]")?;
        }
        Ok(())
    }
}

impl Matrix {
    fn new(rows: usize, cols: usize, f: impl Fn(usize, usize) -> i32) -> Self {
        let data = (0..rows * cols).map(|i| f(i / cols, i % cols)).collect();
        Matrix { rows, cols, data }
    }

    fn mul(&self, other: &Matrix) -> Matrix {
        assert_eq!(self.cols, other.rows);
        Matrix::new(self.rows, other.cols, |r, c| {
            (0..self.cols)
                .map(|k| self.data[r * self.cols + k] * other.data[k * other.cols + c])
                .sum()
        })
    }
}

// ---------------------------------------------------------------- closures

/// Generic (monomorphised) closure call.
fn apply_twice<F: Fn(i64) -> i64>(f: F, x: i64) -> i64 {
    f(f(x))
}

/// Closure passed by `&mut dyn FnMut`.
fn repeat(n: usize, f: &mut dyn FnMut(usize)) {
    for i in 0..n {
        f(i);
    }
}

/// Returns a boxed closure capturing its arguments by move.
fn make_affine(a: i64, b: i64) -> Box<dyn Fn(i64) -> i64> {
    Box::new(move |x| a * x + b)
}

/// Returns an unboxed closure (`impl Fn`).
fn make_adder(n: i64) -> impl Fn(i64) -> i64 {
    move |x| x + n
}

fn classify(c: char) -> Kind {
    match c.to_ascii_lowercase() {
        'a' | 'e' | 'i' | 'o' | 'u' => Kind::Vowel,
        c if c.is_ascii_alphabetic() => Kind::Consonant,
        _ => Kind::Other,
    }
}

fn parse_pairs(s: &str) -> Result<Vec<(String, i32)>, String> {
    s.split(',')
        .map(|item| {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| format!("missing '=' in {item:?}"))?;
            let v: i32 = v
                .trim()
                .parse()
                .map_err(|e| format!("bad value {v:?}: {e}"))?;
            Ok((k.trim().to_string(), v))
        })
        .collect()
}

/// A small deterministic PRNG (xorshift64*), so that no randomness reaches stdout.
struct XorShift(u64);

impl Iterator for XorShift {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        Some(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
}

fn main() {
    println!("== hello_std: Rust std on wasm32-wasip1 ==");

    // -------- strings and word counting with HashMap (order-independent output)
    let text = "the quick brown fox jumps over the lazy dog the fox barks";
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in text.split_whitespace() {
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut sorted: Vec<(&str, usize)> = counts.iter().map(|(k, v)| (*k, *v)).collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!(
        "distinct words: {}, total: {}",
        counts.len(),
        counts.values().sum::<usize>()
    );
    println!("top3: {:?}", &sorted[..3]);
    assert_eq!(counts.get("the"), Some(&3));
    assert_eq!(counts.get("cat"), None);

    // -------- BTreeMap / BTreeSet (ordered iteration is deterministic)
    let mut by_kind: BTreeMap<Kind, String> = BTreeMap::new();
    for c in "Hello, Wasm!".chars() {
        by_kind.entry(classify(c)).or_default().push(c);
    }
    println!("by kind: {by_kind:?}");
    let lengths: BTreeSet<usize> = text.split(' ').map(str::len).collect();
    println!("word lengths: {lengths:?}");
    let mut index: BTreeMap<char, Vec<&str>> = BTreeMap::new();
    for w in text.split(' ') {
        let first = w.chars().next().unwrap();
        let list = index.entry(first).or_default();
        if !list.contains(&w) {
            list.push(w);
        }
    }
    let line: Vec<String> = index
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| format!("{k}:{}", v.join("/")))
        .collect();
    println!("shared initials: {}", line.join(" "));

    // -------- Vec, VecDeque, sorting, iterator adaptors
    let mut v: Vec<u64> = XorShift(0x9E37_79B9_7F4A_7C15)
        .take(1000)
        .map(|x| x % 10_000)
        .collect();
    v.sort_unstable();
    v.dedup();
    let sum: u64 = v.iter().sum();
    let evens = v.iter().filter(|&&x| x % 2 == 0).count();
    println!(
        "vec: len={} min={} max={} sum={} evens={} median={}",
        v.len(),
        v[0],
        v[v.len() - 1],
        sum,
        evens,
        v[v.len() / 2]
    );
    let mut dq: VecDeque<i32> = (1..=5).collect();
    dq.rotate_left(2);
    dq.push_front(0);
    dq.push_back(99);
    println!("deque: {dq:?}");
    let chunks: Vec<i32> = (1..=10)
        .collect::<Vec<_>>()
        .chunks(3)
        .map(|c| c.iter().product())
        .collect();
    println!("chunk products: {chunks:?}");
    let zipped: Vec<String> = ["a", "b", "c"]
        .iter()
        .zip(10..)
        .map(|(s, n)| format!("{s}{n}"))
        .collect();
    println!("zipped: {}", zipped.join(","));

    // -------- formatting
    let pi = std::f64::consts::PI;
    println!(
        "[{:>8.3}] [{:<8.2}] [{:^9.1}] [{:+.4e}] [{:08.2}]",
        pi, pi, pi, 12345.678_f64, -pi
    );
    println!(
        "[{:>6}] [{:<6}] [{:^6}] [{:*^7}] [{:06}]",
        42, 42, 42, "mid", -42
    );
    println!(
        "hex {:x} {:#X} {:#010x} oct {:o} bin {:#b}",
        255, 255, 48879, 8, 5u8
    );
    println!(
        "floats {} {} {} {:?} {:?} {}",
        0.1 + 0.2,
        1e21,
        1.5e-7,
        1.0f64,
        f32::MAX,
        f64::NAN
    );
    println!("ints {} {} {} {}", i64::MIN, u64::MAX, i128::MAX, -0i32);
    let name = "wasm";
    let width = 10;
    println!(
        "[{name:>width$}] [{:.*}] [{:>w$}]",
        3,
        std::f64::consts::E,
        name.len(),
        w = 4
    );
    let accented = String::from("héllo wörld");
    println!(
        "unicode: {accented} -> {} ({} chars, {} bytes)",
        accented.to_uppercase(),
        accented.chars().count(),
        accented.len()
    );
    println!("reversed: {}", "stressed".chars().rev().collect::<String>());
    println!(
        "debug: {:?} {:?} {:?}",
        Some("x"),
        None::<i32>,
        Rect { w: 1.5, h: 2.0 }
    );
    println!("pretty:\n{:#?}", (Circle { r: 1.0 }, [1u8, 2]));
    println!("parse ok: {:?}", parse_pairs("a=1, b = 2,c=-3"));
    println!("parse err: {:?}", parse_pairs("a=1,b"));
    println!("parse err: {:?}", parse_pairs("a=x"));

    // -------- closures: generic, boxed, FnMut, returned
    let k = 3;
    println!(
        "apply_twice: {} {}",
        apply_twice(|x| x * k, 7),
        apply_twice(make_adder(100), 1)
    );
    let pipeline: Vec<Box<dyn Fn(i64) -> i64>> = vec![
        Box::new(|x| x + 1),
        Box::new(move |x| x * k),
        make_affine(2, -5),
        Box::new(make_adder(1000)),
        Box::new(|x: i64| x.pow(2) % 977),
    ];
    let out = pipeline.iter().fold(10, |acc, f| f(acc));
    let staged: Vec<i64> = pipeline
        .iter()
        .scan(10, |acc, f| {
            *acc = f(*acc);
            Some(*acc)
        })
        .collect();
    println!("pipeline(10) = {out}, stages {staged:?}");
    let mut log = Vec::new();
    repeat(4, &mut |i| log.push(i * i));
    println!("FnMut log: {log:?}");
    let mut counter = 0;
    let mut inc = || {
        counter += 5;
        counter
    };
    inc();
    inc();
    println!("counter: {counter}");

    // -------- trait objects in a Vec
    let shapes: Vec<Box<dyn Shape>> = vec![
        Box::new(Circle { r: 1.5 }),
        Box::new(Rect { w: 3.0, h: 4.0 }),
        Box::new(Triangle {
            a: 3.0,
            b: 4.0,
            c: 5.0,
        }),
        Box::new(Rect { w: 2.5, h: 2.5 }),
    ];
    for s in &shapes {
        println!(
            "{:<9}|{:>8.3}|{:>8.3}|{:>2}",
            s.name(),
            s.area(),
            s.perimeter(),
            s.corners()
        );
    }
    let total: f64 = shapes.iter().map(|s| s.area()).sum();
    let largest = shapes
        .iter()
        .max_by(|a, b| a.area().partial_cmp(&b.area()).unwrap())
        .map(|s| s.name())
        .unwrap();
    println!("total area {total:.4}, largest {largest}");

    // -------- Display impl + nested closures
    let a = Matrix::new(2, 3, |r, c| (r * 3 + c) as i32 + 1);
    let b = Matrix::new(
        3,
        2,
        |r, c| if r == c { 1 } else { -(r as i32) - (c as i32) },
    );
    print!("matrix:\n{}", a.mul(&b));

    // -------- Rc/RefCell, Option combinators, char ops
    use std::cell::RefCell;
    use std::rc::Rc;
    let shared = Rc::new(RefCell::new(Vec::<String>::new()));
    type Pusher = Box<dyn Fn(&str)>;
    let pushers: Vec<Pusher> = (0..3)
        .map(|i| {
            let s = Rc::clone(&shared);
            Box::new(move |t: &str| s.borrow_mut().push(format!("{i}:{t}"))) as Pusher
        })
        .collect();
    for (p, word) in pushers.iter().zip(["x", "y", "z"]) {
        p(word);
    }
    println!(
        "rc: {:?} (strong={})",
        shared.borrow(),
        Rc::strong_count(&shared)
    );
    let caesar: String = "Hello, World"
        .chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a' + 13) % 26) + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A' + 13) % 26) + b'A') as char,
            _ => c,
        })
        .collect();
    println!("rot13: {caesar}");

    // -------- a big allocation and a HashMap with many entries
    let mut squares: HashMap<u32, u64> = HashMap::with_capacity(16);
    for i in 0..20_000u32 {
        squares.insert(i, u64::from(i) * u64::from(i));
    }
    let check: u64 = (0..20_000u32).step_by(997).map(|i| squares[&i]).sum();
    squares.retain(|k, _| k % 1000 == 0);
    let mut kept: Vec<_> = squares.keys().copied().collect();
    kept.sort();
    println!(
        "squares check {check}, kept {} first {:?}",
        kept.len(),
        &kept[..4]
    );
    let big = vec![7u8; 4 << 20];
    println!(
        "big: {} bytes, sum {}",
        big.len(),
        big.iter().map(|&b| u64::from(b)).sum::<u64>()
    );

    eprintln!("(stderr works too)");
    println!("done");
}
