#!/usr/bin/env bash
# Rebuilds testdata/sysroot: a pinned copy of the few wasi-libc, libc++ and
# compiler-rt pieces the snapshot cases (crates/snapshots) link against, so
# the snapshots test wasmlink and not the installed Debian packages.
#
# The members kept are the ones wasm-ld-22 extracts (--why-extract) when it
# links each testdata/c/<case>/O2 program against the installed libraries,
# closed over the symbols they reference (closure.py), so a linker that
# extracts more than wasm-ld finds those members too. Each pinned archive
# keeps its members in the original archive's order.
# Needs: wasm-ld-22, llvm-ar-22, wasi-libc, libc++-19-dev-wasm32,
# libclang-rt-19-dev-wasm32.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sys=/usr/lib/wasm32-wasi
rt=/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. What wasm-ld-22 extracts for every case.
for dir in "$root"/testdata/c/*/; do
  [ -f "$dir/case.txt" ] || continue
  name=$(basename "$dir")
  get() { { grep "^$1 *=" "$dir/case.txt" || true; } | head -1 | cut -d= -f2- | sed 's/^ *//; s/ *$//'; }
  crt=$(get crt); libs=$(get libs); archive=$(get archive | cut -d: -f1 | tr -d ' '); entry=$(get entry)
  args=(-m wasm32 -L"$sys" "$sys/crt1-$crt.o" "$dir"/O2/*.o)
  [ -n "$archive" ] && args+=("$dir/O2/$archive")
  # shellcheck disable=SC2206
  args+=($libs -lc "$rt" --entry "${entry:-_start}")
  wasm-ld-22 "${args[@]}" --why-extract="$work/why-$name.txt" -o "$work/$name.wasm"
done

# 2. Close the set over references.
cut -f2 "$work"/why-*.txt | python3 "$here/closure.py" "$sys/libc++.a" "$sys/libc++abi.a" "$sys/libc.a" "$rt" \
  > "$work/keep.tsv"

# 3. One pinned archive per library: the extracted members, in archive order.
# Members are taken by position, since an archive may hold two members of
# one name (wasi-libc has two errno.o).
pin() { # pin SOURCE.a DEST.a
  local src=$1 dest=$2 d="$work/x-$(basename "$2")"
  mkdir -p "$d"
  local wanted
  wanted=$(awk -F'\t' -v a="$src" '$1 == a { print $2 }' "$work/keep.tsv")
  local files=() seen=""
  while IFS= read -r m; do
    local n; n=$(printf '%s\n' "$seen" | grep -cxF "$m" || true)
    seen+="$m"$'\n'
    grep -qxF "$m" <<<"$wanted" || continue
    # The first member of a name is the one extracted; later ones shadow it.
    [ "$n" -eq 0 ] || continue
    (cd "$d" && llvm-ar-22 xN 1 "$src" "$m")
    files+=("$d/$m")
  done < <(llvm-ar-22 t "$src")
  rm -f "$dest"
  llvm-ar-22 rcs "$dest" ${files[@]+"${files[@]}"}
}
pin "$sys/libc.a" "$here/libc.a"
pin "$sys/libc++.a" "$here/libc++.a"
pin "$sys/libc++abi.a" "$here/libc++abi.a"
pin "$rt" "$here/libclang_rt.builtins-wasm32.a"
cp "$sys/crt1-command.o" "$sys/crt1-reactor.o" "$here/"
ls -l "$here"
