#!/usr/bin/env bash
# Regenerate the committed objects of the C/C++ link test cases:
#   testdata/c/<case>/O2/   clang -O2
#   testdata/c/<case>/O0g/  clang -O0 -g
# Each source <name>.c / <name>.cc becomes <name>.o; the members named by an
# `archive = libX.a: m1 m2 ...` line of case.txt go into libX.a instead
# (built with `llvm-ar rcsD`, members in the listed order).
#
# Usage: testdata/regen.sh [case ...]      (default: every case under testdata/c)
# Needs clang-19 / clang++-19 / llvm-ar-19 and the wasi sysroot under /usr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cases_dir="$here/c"

CC="${CC:-clang-19}"
CXX="${CXX:-clang++-19}"
AR="${AR:-llvm-ar-19}"
SYSROOT="${SYSROOT:-/usr}"

# Value of `key` in a case.txt (empty if absent).
case_key() {
    sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | head -n 1 | sed 's/[[:space:]]*$//'
}

regen_case() {
    local dir="$1" name lang crt archive pic ar_name ar_members compiler variant outdir src base
    name="$(basename "$dir")"
    [[ -f "$dir/case.txt" ]] || { echo "regen: $name: no case.txt" >&2; return 1; }
    lang="$(case_key "$dir/case.txt" lang)"
    crt="$(case_key "$dir/case.txt" crt)"
    archive="$(case_key "$dir/case.txt" archive)"
    pic=" $(case_key "$dir/case.txt" pic) "
    ar_name="" ar_members=""
    if [[ -n "$archive" ]]; then
        ar_name="${archive%%:*}"
        ar_members="${archive#*:}"
    fi

    local -a flags=(--target=wasm32-wasi "--sysroot=$SYSROOT" -fdebug-compilation-dir=.
        "-ffile-prefix-map=$dir=.")
    local -a srcs
    case "$lang" in
        c) compiler="$CC"; srcs=("$dir"/*.c) ;;
        c++) compiler="$CXX"; srcs=("$dir"/*.cc); flags+=(-fno-exceptions) ;;
        *) echo "regen: $name: bad lang '$lang'" >&2; return 1 ;;
    esac
    case "$crt" in
        command | reactor) ;;
        *) echo "regen: $name: bad crt '$crt'" >&2; return 1 ;;
    esac
    # Reactors: clang passes -mexec-model=reactor only to the link step
    # (crt1-reactor.o + --entry _initialize); clang-19 rejects it together with
    # -c ("unsupported option"), and it does not change code generation.
    [[ -e "${srcs[0]}" ]] || { echo "regen: $name: no sources" >&2; return 1; }

    for variant in O2 O0g; do
        local -a vflags
        if [[ $variant == O2 ]]; then vflags=(-O2); else vflags=(-O0 -g); fi
        outdir="$dir/$variant"
        rm -rf "$outdir"
        mkdir -p "$outdir"
        for src in "${srcs[@]}"; do
            base="$(basename "$src")"
            base="${base%.*}"
            local -a pflags=()
            [[ "$pic" == *" $base "* ]] && pflags=(-fPIC)
            # Compile from inside the case dir with relative paths so nothing
            # in the objects depends on where the checkout lives.
            (cd "$dir" && "$compiler" "${flags[@]}" "${vflags[@]}" "${pflags[@]}" -c "$(basename "$src")" \
                -o "$variant/$base.o")
        done
        if [[ -n "$ar_name" ]]; then
            local -a members=()
            local m
            for m in $ar_members; do
                [[ -f "$outdir/$m.o" ]] || { echo "regen: $name: archive member $m has no source" >&2; return 1; }
                members+=("$m.o")
            done
            (cd "$outdir" && "$AR" rcsD "$ar_name" "${members[@]}" && rm -f "${members[@]}")
        fi
    done
    echo "regen: $name ($lang, $crt): $(cd "$dir" && ls O2 | tr '\n' ' ')"
}

if [[ $# -gt 0 ]]; then
    for c in "$@"; do regen_case "$cases_dir/$c"; done
else
    for d in "$cases_dir"/*/; do regen_case "${d%/}"; done
fi
