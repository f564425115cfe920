// CUDA last-dimension softmax: one block per row finds the maximum, sums exp in double about it with a fixed
// tree (deterministic), then writes every probability — the CPU twin's formula, within an ulp of it.
#include <cmath>
#include <string>

#include "nn/core/cuda_check.h"
#include "nn/ops/block_reduce.cuh"
#include "nn/ops/softmax.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

__global__ void softmax_kernel(const float* input, int columns, float* output) {
  __shared__ float max_scratch[kThreads];
  __shared__ double sum_scratch[kThreads];
  const std::int64_t offset = static_cast<std::int64_t>(blockIdx.x) * columns;
  const float* source = input + offset;
  float maximum = -INFINITY;
  for (int column = threadIdx.x; column < columns; column += kThreads) maximum = fmaxf(maximum, source[column]);
  maximum = block_reduce<kThreads>(maximum, max_scratch, [](float a, float b) { return fmaxf(a, b); });
  double sum = 0.0;
  for (int column = threadIdx.x; column < columns; column += kThreads)
    sum += exp(static_cast<double>(source[column] - maximum));
  const double inverse_sum = 1.0 / block_reduce<kThreads>(sum, sum_scratch, [](double a, double b) { return a + b; });
  // Every thread has read its values before the last reduction's barrier, so output may alias input.
  for (int column = threadIdx.x; column < columns; column += kThreads)
    output[offset + column] = static_cast<float>(exp(static_cast<double>(source[column] - maximum)) * inverse_sum);
}

}  // namespace

void softmax_forward_cuda(const float* input, std::int64_t rows, int columns, float* output, void* stream) {
  GENINT_CHECK(rows >= 0 && columns > 0, "softmax_forward_cuda: rows must be ≥ 0 and columns > 0 (got " +
                                             std::to_string(rows) + ", " + std::to_string(columns) + ")");
  GENINT_CHECK(rows <= 0x7fffffff, "softmax_forward_cuda: more rows than one grid dimension holds");
  if (rows == 0) return;
  softmax_kernel<<<static_cast<unsigned>(rows), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(input, columns,
                                                                                                  output);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
