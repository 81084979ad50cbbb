#!/usr/bin/env bash
# Regenerate the committed objects used by crates/wasmlink/tests/errors.rs:
#   undef.c -> undef.o   (_start calls the undefined missing_fn)
#   dup1.c  -> dup1.o    (_start, and a strong dup_fn)
#   dup2.c  -> dup2.o    (another strong dup_fn)
#   lto.c   -> lto.o     (-flto: LLVM bitcode, for the "LTO is not supported" error)
#   mvp-tables.s, mvp-one-table.s -> .o (llvm-mc-22 -mcpu=mvp: tables without symbols)
# The objects are freestanding (no libc, no sysroot needed) so the error tests
# run without wasi-libc. Output depends only on the clang-19 version.
#
# Usage: testdata/errors/regen.sh        (works from any directory)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CC="${CC:-clang-19}"

cd "$here"
for src in undef.c dup1.c dup2.c; do
    "$CC" --target=wasm32-unknown-unknown -O2 -c \
        -fdebug-compilation-dir=. "-ffile-prefix-map=$here=." \
        "$src" -o "${src%.c}.o"
done
"$CC" --target=wasm32-unknown-unknown -O2 -flto -c lto.c -o lto.o
for s in mvp-tables mvp-one-table; do
    "${MC:-/usr/lib/llvm-22/bin/llvm-mc}" -filetype=obj -triple=wasm32-unknown-unknown -mcpu=mvp "$s.s" -o "$s.o"
done
