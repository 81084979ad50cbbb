#!/usr/bin/env bash
# Regenerates the objects of the option tests with clang-19.
set -euo pipefail
cd "$(dirname "$0")"
clang-19 --target=wasm32-wasi --sysroot=/usr -O0 -fdebug-compilation-dir=. -c wrap.c -o wrap.o
