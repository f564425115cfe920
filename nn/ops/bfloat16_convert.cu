// CUDA float32 ↔ bfloat16: one thread per value. __float2bfloat16_rn rounds to nearest even,
// the CPU twin's rule, so both give the same bits.
#include <cuda_bf16.h>

#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/elementwise_launch.cuh"

namespace genint {
namespace {

__global__ void float_to_bfloat16_kernel(const float* input, std::int64_t count, __nv_bfloat16* output) {
  const std::int64_t index = flat_thread_index();
  if (index < count) output[index] = __float2bfloat16_rn(input[index]);
}

__global__ void bfloat16_to_float_kernel(const __nv_bfloat16* input, std::int64_t count, float* output) {
  const std::int64_t index = flat_thread_index();
  if (index < count) output[index] = __bfloat162float(input[index]);
}

}  // namespace

// __nv_bfloat16 is a 2-byte struct holding exactly the bit pattern, so the uint16_t arrays are reinterpreted.
static_assert(sizeof(__nv_bfloat16) == sizeof(std::uint16_t), "bfloat16 must be 2 bytes");

void float_to_bfloat16_cuda(const float* input, std::int64_t count, std::uint16_t* output, void* stream) {
  GENINT_CHECK(count >= 0, "float_to_bfloat16_cuda: negative count");
  if (count > 0)
    launch_elementwise(float_to_bfloat16_kernel, count, stream, input, count, reinterpret_cast<__nv_bfloat16*>(output));
}

void bfloat16_to_float_cuda(const std::uint16_t* input, std::int64_t count, float* output, void* stream) {
  GENINT_CHECK(count >= 0, "bfloat16_to_float_cuda: negative count");
  if (count > 0)
    launch_elementwise(bfloat16_to_float_kernel, count, stream, reinterpret_cast<const __nv_bfloat16*>(input), count,
                       output);
}

}  // namespace genint
