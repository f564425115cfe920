// CUDA float32 ↔ bfloat16: grid-stride loops over flat arrays. __float2bfloat16_rn rounds to nearest even,
// the CPU twin's rule, so both give the same bits.
#include <cuda_bf16.h>

#include <algorithm>

#include "nn/core/cuda_check.h"
#include "nn/ops/bfloat16_convert.h"

namespace genint {
namespace {

constexpr int kThreads = 256;
constexpr std::int64_t kMaxBlocks = 1 << 16;  // the grid-stride loop covers the rest

__global__ void float_to_bfloat16_kernel(const float* input, std::int64_t count, __nv_bfloat16* output) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; index < count;
       index += stride)
    output[index] = __float2bfloat16_rn(input[index]);
}

__global__ void bfloat16_to_float_kernel(const __nv_bfloat16* input, std::int64_t count, float* output) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; index < count;
       index += stride)
    output[index] = __bfloat162float(input[index]);
}

unsigned blocks_for(std::int64_t count) {
  return static_cast<unsigned>(std::min<std::int64_t>((count + kThreads - 1) / kThreads, kMaxBlocks));
}

}  // namespace

// __nv_bfloat16 is a 2-byte struct holding exactly the bit pattern, so the uint16_t arrays are reinterpreted.
static_assert(sizeof(__nv_bfloat16) == sizeof(std::uint16_t), "bfloat16 must be 2 bytes");

void float_to_bfloat16_cuda(const float* input, std::int64_t count, std::uint16_t* output, void* stream) {
  GENINT_CHECK(count >= 0, "float_to_bfloat16_cuda: negative count");
  if (count == 0) return;
  float_to_bfloat16_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      input, count, reinterpret_cast<__nv_bfloat16*>(output));
  GENINT_CUDA_CHECK_LAUNCH();
}

void bfloat16_to_float_cuda(const std::uint16_t* input, std::int64_t count, float* output, void* stream) {
  GENINT_CHECK(count >= 0, "bfloat16_to_float_cuda: negative count");
  if (count == 0) return;
  bfloat16_to_float_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      reinterpret_cast<const __nv_bfloat16*>(input), count, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
