#!/usr/bin/env bash
# Regenerates the objects of the option tests with clang-19.
#   wrap.o                     --wrap (a command, with libc)
#   opts.o / opts-g.o          most options (--no-entry, no libc); opts-g.o has -g
#   undef.o                    --allow-undefined, --allow-undefined-file
#   multi1.o multi2.o          --allow-multiple-definition
#   lazy.o, liblazy.a          -u, --whole-archive, --start-lib/--end-lib, -l/-L
#   sigcall.o sigdef.o         a signature-mismatch warning (--fatal-warnings)
#   sections.o                 --export-if-defined, exported __start_/__stop_ bounds
#   unresolved.o               --import-undefined, --unresolved-symbols, --warn-unresolved-symbols
#   strings1.o strings2.o      -O0/-O1/-O2 string merging (.rodata.str*, .debug_str)
#   mangled.o mangled_undef.o  C++ names: --demangle/--no-demangle, -Map, -y
#   threads.o                  --shared-memory, TLS (-matomics -mbulk-memory)
#   opts64.o threads64.o       -m wasm64: opts.c and threads.c built for wasm64
set -euo pipefail
cd "$(dirname "$0")"
CC="${CC:-clang-19}"
AR="${AR:-llvm-ar-19}"
flags=(--target=wasm32-wasi --sysroot=/usr -fdebug-compilation-dir=.)
"$CC" "${flags[@]}" -O0 -c wrap.c -o wrap.o
"$CC" "${flags[@]}" -O2 -c opts.c -o opts.o
"$CC" "${flags[@]}" -O0 -g -c opts.c -o opts-g.o
for s in undef lazy sigcall sigdef sections unresolved; do
    "$CC" "${flags[@]}" -O2 -c "$s.c" -o "$s.o"
done
for s in strings1 strings2; do
    "$CC" "${flags[@]}" -O0 -g -c "$s.c" -o "$s.o"
done
# -O0: at -O2 clang folds multi1.c's own `dup` into `run`.
for s in multi1 multi2; do
    "$CC" "${flags[@]}" -O0 -c "$s.c" -o "$s.o"
done
"${CXX:-clang++-19}" "${flags[@]}" -O0 -fno-exceptions -c mangled.cc -o mangled.o
"${CXX:-clang++-19}" "${flags[@]}" -O2 -fno-exceptions -c mangled_undef.cc -o mangled_undef.o
rm -f liblazy.a
"$AR" rcsD liblazy.a lazy.o
# threads.o: --shared-memory and TLS (needs atomics and bulk memory)
"$CC" "${flags[@]}" -O2 -matomics -mbulk-memory -c threads.c -o threads.o
# opts64.o, threads64.o: -m wasm64 (memory64 objects; no libc)
flags64=(--target=wasm64-unknown-unknown -fdebug-compilation-dir=.)
"$CC" "${flags64[@]}" -O2 -c opts.c -o opts64.o
"$CC" "${flags64[@]}" -O2 -matomics -mbulk-memory -c threads.c -o threads64.o
