#!/usr/bin/env bash
# Regenerates the objects of the --why-live / --size-report tests with clang-19:
#   explain.o                  every kind of GC root and reference edge
#   explain_asm.o              a defined global and tag (llvm-mc)
#   libexplain.a               helper.o (extracted) and never.o (never extracted)
#   typo.o totals.o            an undefined function and data (diagnostics: near names, hints)
set -euo pipefail
cd "$(dirname "$0")"
CC="${CC:-clang-19}"
AR="${AR:-llvm-ar-19}"
MC="${MC:-/usr/lib/llvm-22/bin/llvm-mc}"
flags=(--target=wasm32-wasi --sysroot=/usr -fdebug-compilation-dir=. -O2)
"$CC" "${flags[@]}" -c explain.c -o explain.o
"$CC" "${flags[@]}" -c helper.c -o helper.o
"$CC" "${flags[@]}" -c never.c -o never.o
"$CC" "${flags[@]}" -c typo.c -o typo.o
"$CC" "${flags[@]}" -c totals.c -o totals.o
"$MC" -triple=wasm32-unknown-unknown -mattr=+exception-handling -filetype=obj explain_asm.s -o explain_asm.o
rm -f libexplain.a
"$AR" rcsD libexplain.a helper.o never.o
rm -f helper.o never.o
