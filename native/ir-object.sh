#!/bin/sh
# Compiles ir/*.ll into one object for a CPU variant, every exported ak_* kernel renamed ak_<variant>_* so that the
# variants link side by side. Usage: native/ir-object.sh base|v3|v4|wasm OUT.o
set -eu
variant=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
llvm-link-14 -S "$root"/ir/conserved.ll "$root"/ir/r96.ll -o "$tmp/k.ll"
case $variant in
  base) cpu=x86-64 ;;
  v3) cpu=x86-64-v3 ;;
  v4) cpu=x86-64-v4 ;;
  wasm)
    wattr=+simd128,+atomics,+bulk-memory
    opt-14 -O3 -mattr=$wattr "$tmp/k.ll" -o "$tmp/k.bc"
    exec llc-14 -O3 -march=wasm32 -mattr=$wattr -filetype=obj "$tmp/k.bc" -o "$out" ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
# Hidden: only the dispatcher (native/kernels/dispatch.c) calls the variants; libatlas.so exports the atlas_* ABI.
sed -e "s/@ak_/@ak_${variant}_/g" -e "/^define internal/!s/^define /define hidden /" "$tmp/k.ll" > "$tmp/r.ll"
opt-14 -O3 "$tmp/r.ll" -o "$tmp/k.bc"
llc-14 -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=$cpu -filetype=obj -relocation-model=pic "$tmp/k.bc" -o "$out"
