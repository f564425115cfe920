// CPU float32 ↔ bfloat16: the rounding rule written out on the bit patterns (the truth the CUDA conversion,
// __float2bfloat16_rn, is held to), and the dispatch points that run one or the other by OpTarget.
#include <cstring>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/safetensors/safetensors_dtype.h"

namespace genint {
namespace {

std::uint16_t to_bfloat16(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  // Every NaN becomes the canonical 0x7fff, as CUDA's cvt.rn.bf16.f32 gives (torch's CPU keeps 0x7fc0).
  if ((bits & 0x7fffffffu) > 0x7f800000u) return 0x7fffu;
  // Adding 0x7fff plus the kept part's lowest bit rounds to nearest, ties to even; overflow carries into the
  // exponent correctly (to infinity at the top), as IEEE rounding does.
  const std::uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

}  // namespace

void float_to_bfloat16_cpu(const float* input, std::int64_t count, std::uint16_t* output) {
  GENINT_CHECK(count >= 0, "float_to_bfloat16_cpu: negative count");
  for (std::int64_t index = 0; index < count; ++index) output[index] = to_bfloat16(input[index]);
}

void bfloat16_to_float_cpu(const std::uint16_t* input, std::int64_t count, float* output) {
  GENINT_CHECK(count >= 0, "bfloat16_to_float_cpu: negative count");
  for (std::int64_t index = 0; index < count; ++index) output[index] = io::bfloat16_bits_to_float(input[index]);
}

void round_to_bfloat16_cpu(float* values, std::int64_t count) {
  GENINT_CHECK(count >= 0, "round_to_bfloat16_cpu: negative count");
  for (std::int64_t index = 0; index < count; ++index)
    values[index] = io::bfloat16_bits_to_float(to_bfloat16(values[index]));
}

void float_to_bfloat16(const OpTarget& target, const float* input, std::int64_t count, std::uint16_t* output) {
  if (target.on_cpu()) return float_to_bfloat16_cpu(input, count, output);
  GENINT_CUDA_CALL(float_to_bfloat16_cuda, input, count, output, target.stream);
}

void bfloat16_to_float(const OpTarget& target, const std::uint16_t* input, std::int64_t count, float* output) {
  if (target.on_cpu()) return bfloat16_to_float_cpu(input, count, output);
  GENINT_CUDA_CALL(bfloat16_to_float_cuda, input, count, output, target.stream);
}

}  // namespace genint
