#!/bin/sh
# Rebuilds the objects of the dynamic-linking test (tests/dynamic.rs).
set -e
cd "$(dirname "$0")"
for f in lib main; do
  clang-19 --target=wasm32-unknown-unknown -fPIC -fvisibility=default -O1 -nostdlib -c $f.c -o $f.o
done
