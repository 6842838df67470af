#!/bin/sh
# Builds dist/cuda/atlas_cuda.node (toolchain.md §8): nvcc with the IEEE-parity flags, g++ for the N-API glue and the
# host emulation (-ffp-contract=off), static cudart. Without nvcc it skips: the CPU path (src/holo) is then used.
set -eu
cd "$(dirname "$0")/../.."
NVCC=${NVCC:-nvcc}
if ! command -v "$NVCC" >/dev/null 2>&1; then
  echo "build:cuda: nvcc not found, skipping the CUDA addon (the holographic store uses the CPU path)"
  exit 0
fi
CUDA_HOME=${CUDA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v "$NVCC")")")")}
# /usr/local/bin/nvcc may be a wrapper script; fall back to the usual install prefix.
[ -f "$CUDA_HOME/include/cuda_runtime.h" ] || CUDA_HOME=/usr/local/cuda
OUT=dist/cuda
OBJ=$OUT/obj
mkdir -p "$OBJ"
NODE_INC="$(node -p "require('path').join(path.dirname(path.dirname(process.execPath)), 'include', 'node')")"
NAPI_INC="$(node -p "require('node-addon-api').include_dir")"

"$NVCC" -O3 -c native/cuda/kernels.cu -o "$OBJ/kernels.o" -Xcompiler -fPIC -fmad=false -prec-div=true \
  -prec-sqrt=true -ftz=false -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
for f in emulate addon; do
  g++ -O2 -fPIC -std=c++17 -ffp-contract=off -Wall -Wextra -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS \
    -I"$NODE_INC" -I"$NAPI_INC" -I"$CUDA_HOME/include" -c native/cuda/$f.cc -o "$OBJ/$f.o"
done
g++ -shared -o "$OUT/atlas_cuda.node.tmp" "$OBJ/addon.o" "$OBJ/emulate.o" "$OBJ/kernels.o" \
  -L"$CUDA_HOME/lib64" -L"$CUDA_HOME/lib" -lcudart_static -ldl -lpthread -lrt
mv "$OUT/atlas_cuda.node.tmp" "$OUT/atlas_cuda.node"
echo "build:cuda: built $OUT/atlas_cuda.node"
