#!/usr/bin/env bash
# DJL (latentwatch train) and PyTorch (Debian python3-torch) on the notes' dense 784-128-64-32 Fashion-MNIST
# autoencoder, back to back, ROUNDS times, both with one intra-op thread. Debian's torch is built with
# BLAS_INFO=generic and links libblas.so.3, which is the slow reference BLAS unless an optimised one is
# installed; without one, OpenBLAS is unpacked into a temporary directory for the PyTorch process only
# (the system's BLAS alternative is left alone). Peak heap comes from the DJL run's GC log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${FMNIST_DIR:-$root/../shared/data/fashion-mnist}"
rounds="${ROUNDS:-2}"
jar="$root/app/target/latentwatch-app.jar"
work="$(mktemp -d)"
[ -f "$jar" ] || "$root/mvnw" -q -B -DskipTests -pl app -am package >&2
blas_dir=""
if [[ "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)" == */blas/libblas.so* ]]; then # the reference BLAS
  (cd "$work" && apt-get download libopenblas0-pthread >/dev/null 2>&1 && dpkg-deb -x libopenblas0-pthread_*.deb openblas)
  blas_dir="$work/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"
fi
for r in $(seq 1 "$rounds"); do
  java -Xmx1g -Xss4m -Xlog:gc:file="$work/gc$r.log" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -jar "$jar" train \
    --idx "$data/train-images-idx3-ubyte.gz" --idx-labels "$data/train-labels-idx1-ubyte.gz" \
    --test-idx "$data/t10k-images-idx3-ubyte.gz" --preset DENSE_128_64_32 --epochs 5 --out "$work/djl$r" 2>/dev/null \
    | tail -1 | grep -oE 'epoch_s=[0-9.]+|test_mse=[0-9.]+' | tr '\n' ' ' | sed "s/^/djl round=$r /"
  echo "peak_heap_mib=$(grep -oE '[0-9]+M->' "$work/gc$r.log" | sed 's/M->//' | sort -n | tail -1)"
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH="$blas_dir" /usr/bin/python3 "$root/benchmarks/pytorch_dense_fmnist.py" "$data" 1 \
    | tail -1 | sed "s/^/pytorch round=$r /"
done
