#!/usr/bin/env bash
# bench/device-libraries on fake folder trees shaped like PyTorch's nvidia-* wheels (empty files under the real
# sonames): what it finds, which folders it keeps and in what order, what it reports missing, and its message.
# Usage: device_libraries_test.sh PATH/TO/bench/device-libraries
set -uo pipefail
tool=${1:?give the path of bench/device-libraries}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

check() {  # DESCRIPTION COMMAND...: counts a failure when COMMAND fails
  local description=$1
  shift
  checks=$((checks + 1))
  if ! "$@"; then
    echo "FAILED: $description" >&2
    failures=$((failures + 1))
  fi
}
contains() { grep -qF -- "$2" <<< "$1" || { echo "  expected to contain: $2" >&2; echo "  got: $1" >&2; return 1; }; }
lacks() { ! grep -qF -- "$2" <<< "$1" || { echo "  expected NOT to contain: $2" >&2; echo "  got: $1" >&2; return 1; }; }
equals() { [ "$1" = "$2" ] || { echo "  expected: $2" >&2; echo "  got:      $1" >&2; return 1; }; }

# Runs the finder; sets out (stdout), err (stderr) and status.
find_libraries() {
  status=0
  out=$("$tool" find "$@" 2>"$work/stderr") || status=$?
  err=$(cat "$work/stderr")
}

# What the host half asks for, from the CUDA sonames of genint's binaries (CUDA 13 toolkit, cuDNN 9).
"$tool" needed libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 > "$work/needed.txt"
needed=$(cat "$work/needed.txt")
check "cuBLAS is required" contains "$needed" "required libcublasLt.so.13"
check "cuDNN's dlopened sub-libraries are required" contains "$needed" "required libcudnn_cnn.so.9"
check "cuDNN's graph library is required" contains "$needed" "required libcudnn_graph.so.9"
check "cuDNN's engines are required" contains "$needed" "required libcudnn_engines_precompiled.so.9"
check "NVRTC of the binaries' CUDA major is optional" contains "$needed" "optional libnvrtc.so.13"
check "libcudnn_adv is optional" contains "$needed" "optional libcudnn_adv.so.9"
check "no cuDNN sub-library without cuDNN" lacks "$("$tool" needed libcublas.so.13)" "cudnn"

# PyTorch 2.11 + CUDA 13 wheels: cuDNN in nvidia/cudnn/lib, cuBLAS, cudart and NVRTC in nvidia/cu13/lib; an
# unrelated wheel (NCCL) and torch/lib hold none of the needed libraries.
site=$work/cu13/lib/python3.12/site-packages
mkdir -p "$site"/nvidia/{cudnn,cu13,nccl}/lib "$site/torch/lib"
for part in "" _graph _engines_precompiled _engines_runtime_compiled _heuristic _ops _cnn _adv; do
  touch "$site/nvidia/cudnn/lib/libcudnn$part.so.9"
done
touch "$site"/nvidia/cu13/lib/{libcublas.so.13,libcublasLt.so.13,libcudart.so.13,libnvrtc.so.13}
touch "$site/nvidia/nccl/lib/libnccl.so.2" "$site/torch/lib/libtorch_cuda.so"
find_libraries --needed "$work/needed.txt" --site-packages "$site" --only-given
check "cu13 wheels: everything found" equals "$status" 0
check "cu13 wheels: both folders kept, in search order" equals "$out" "$site/nvidia/cu13/lib:$site/nvidia/cudnn/lib"
check "cu13 wheels: cuBLAS reported in its folder" contains "$err" "found libcublas.so.13 in $site/nvidia/cu13/lib"
check "cu13 wheels: a cuDNN sub-library reported in its folder" \
  contains "$err" "found libcudnn_engines_precompiled.so.9 in $site/nvidia/cudnn/lib"
check "cu13 wheels: the optional NVRTC is found too" contains "$err" "found libnvrtc.so.13 in $site/nvidia/cu13/lib"
check "cu13 wheels: a folder supplying nothing is not kept" lacks "$out" "nccl"

# One cuDNN sub-library missing: stop, naming it, with nothing on stdout.
rm "$site/nvidia/cudnn/lib/libcudnn_cnn.so.9"
find_libraries --needed "$work/needed.txt" --site-packages "$site" --only-given
check "missing sub-library: exit 1" equals "$status" 1
check "missing sub-library: no folders printed" equals "$out" ""
check "missing sub-library: the message names it and counts" \
  contains "$err" "missing 1 of 9 required CUDA libraries: libcudnn_cnn.so.9"
check "missing sub-library: the message lists where it searched" contains "$err" "$site/nvidia/cudnn/lib"
check "missing sub-library: the message says how to fix it" contains "$err" "GENINT_CUDA_LIBRARY_DIRS"
touch "$site/nvidia/cudnn/lib/libcudnn_cnn.so.9"

# An optional library missing does not stop anything.
rm "$site/nvidia/cu13/lib/libnvrtc.so.13"
find_libraries --needed "$work/needed.txt" --site-packages "$site" --only-given
check "missing optional library: exit 0" equals "$status" 0
check "missing optional library: not reported found" lacks "$err" "libnvrtc"

# CUDA 12 wheels (nvidia/cublas/lib, nvidia/cuda_runtime/lib) beside binaries built for CUDA 13: cuBLAS 13 is
# missing, and the message points at the CUDA 12 copy it saw.
site12=$work/cu12/site-packages
mkdir -p "$site12"/nvidia/{cudnn,cublas,cuda_runtime}/lib
cp "$site"/nvidia/cudnn/lib/* "$site12/nvidia/cudnn/lib/"
touch "$site12"/nvidia/cublas/lib/{libcublas.so.12,libcublasLt.so.12} "$site12/nvidia/cuda_runtime/lib/libcudart.so.12"
find_libraries --needed "$work/needed.txt" --site-packages "$site12" --only-given
check "CUDA 12 wheels for CUDA 13 binaries: exit 1" equals "$status" 1
check "CUDA 12 wheels: both cuBLAS libraries named missing" \
  contains "$err" "missing 2 of 9 required CUDA libraries: libcublas.so.13 libcublasLt.so.13"
check "CUDA 12 wheels: the other major version is named" \
  contains "$err" "libcublas.so.13: only another version was seen: $site12/nvidia/cublas/lib/libcublas.so.12"
check "CUDA 12 wheels: cuDNN was still found" contains "$err" "found in: $site12/nvidia/cudnn/lib"

# CUDA 12 binaries on CUDA 12 wheels: three folders (cublas, cuda_runtime, cudnn), each kept.
"$tool" needed libcublas.so.12 libcublasLt.so.12 libcudart.so.12 libcudnn.so.9 > "$work/needed12.txt"
find_libraries --needed "$work/needed12.txt" --site-packages "$site12" --only-given
check "CUDA 12 layout: exit 0" equals "$status" 0
check "CUDA 12 layout: three folders kept" \
  equals "$out" "$site12/nvidia/cublas/lib:$site12/nvidia/cuda_runtime/lib:$site12/nvidia/cudnn/lib"

# A --dir folder comes first: a library there wins over the wheels' copy, and its folder leads the path.
system=$work/usr-local-cuda/lib64
mkdir -p "$system"
touch "$system/libcublas.so.13"
find_libraries --needed "$work/needed.txt" --dir "$system" --site-packages "$site" --only-given
check "--dir first: exit 0" equals "$status" 0
check "--dir first: cuBLAS from the given folder" contains "$err" "found libcublas.so.13 in $system"
check "--dir first: folder order follows the search" \
  equals "$out" "$system:$site/nvidia/cu13/lib:$site/nvidia/cudnn/lib"

# A soname that is a dangling link is not a library.
mv "$site/nvidia/cudnn/lib/libcudnn_ops.so.9" "$work/ops-real"
ln -s "$work/nowhere" "$site/nvidia/cudnn/lib/libcudnn_ops.so.9"
find_libraries --needed "$work/needed.txt" --site-packages "$site" --only-given
check "dangling link: exit 1" equals "$status" 1
check "dangling link: named missing" contains "$err" "libcudnn_ops.so.9"

# Usage errors: no needed list, an unknown kind of line.
find_libraries --site-packages "$site" --only-given
check "no --needed: exit 2" equals "$status" 2
echo "sometimes libfoo.so.1" > "$work/bad.txt"
find_libraries --needed "$work/bad.txt" --only-given
check "bad needed line: exit 2" equals "$status" 2

echo "$((checks - failures)) of $checks checks passed"
[ "$failures" -eq 0 ]
