// The blends. One multiply serves both uint8 outputs: with m = w·(a − b) taken mod 2^16, (b·256 + 128 + m) >> 8 and
// (a·256 + 128 − m) >> 8 are w·a + (256 − w)·b + 128 and w·b + (256 − w)·a + 128 shifted, whose true values lie in
// [0, 65408], so the wrapping 16-bit sums are exact. The kernels do the same with 8 (SSE2) or 16 (AVX2) lanes.
#include "loader/pipeline/mixup_blend.h"

#include "nn/core/error.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define GENINT_MIXUP_X86 1
#endif

namespace genint::loader {
namespace {

void blend_uint8_loop(std::uint8_t* first, std::uint8_t* second, std::size_t begin, std::size_t bytes,
                      std::uint32_t lambda_units) {
  const auto own = static_cast<std::uint16_t>(lambda_units);
  for (std::size_t index = begin; index < bytes; ++index) {
    const std::uint16_t a = first[index], b = second[index];
    const auto product = static_cast<std::uint16_t>(own * static_cast<std::uint16_t>(a - b));
    first[index] = static_cast<std::uint8_t>(static_cast<std::uint16_t>((b << 8) + 128 + product) >> 8);
    second[index] = static_cast<std::uint8_t>(static_cast<std::uint16_t>((a << 8) + 128 - product) >> 8);
  }
}

// No fused multiply-add in any copy (-ffp-contract=off, loader/CMakeLists.txt), so every copy gives the same bits.
inline __attribute__((always_inline)) void blend_float_loop(float* first, float* second, std::size_t values, float own,
                                                            float other) {
  for (std::size_t index = 0; index < values; ++index) {
    const float a = first[index], b = second[index];
    first[index] = own * a + other * b;
    second[index] = own * b + other * a;
  }
}

#ifdef GENINT_MIXUP_X86
// unpack(0x80, x) puts x in the high byte over 128: x·256 + 128 in each 16-bit lane, in one instruction.
void blend_uint8_sse2(std::uint8_t* first, std::uint8_t* second, std::size_t bytes, std::uint32_t lambda_units) {
  const __m128i weight = _mm_set1_epi16(static_cast<short>(lambda_units));
  const __m128i zero = _mm_setzero_si128(), half = _mm_set1_epi8(static_cast<char>(0x80));
  std::size_t index = 0;
  for (; index + 16 <= bytes; index += 16) {
    auto* first_block = reinterpret_cast<__m128i*>(first + index);
    auto* second_block = reinterpret_cast<__m128i*>(second + index);
    const __m128i a = _mm_loadu_si128(first_block), b = _mm_loadu_si128(second_block);
    const __m128i low = _mm_mullo_epi16(_mm_sub_epi16(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero)), weight);
    const __m128i high = _mm_mullo_epi16(_mm_sub_epi16(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero)), weight);
    const __m128i first_low = _mm_srli_epi16(_mm_add_epi16(_mm_unpacklo_epi8(half, b), low), 8);
    const __m128i first_high = _mm_srli_epi16(_mm_add_epi16(_mm_unpackhi_epi8(half, b), high), 8);
    const __m128i second_low = _mm_srli_epi16(_mm_sub_epi16(_mm_unpacklo_epi8(half, a), low), 8);
    const __m128i second_high = _mm_srli_epi16(_mm_sub_epi16(_mm_unpackhi_epi8(half, a), high), 8);
    _mm_storeu_si128(first_block, _mm_packus_epi16(first_low, first_high));
    _mm_storeu_si128(second_block, _mm_packus_epi16(second_low, second_high));
  }
  blend_uint8_loop(first, second, index, bytes, lambda_units);
}

__attribute__((target("avx2"))) void blend_uint8_avx2(std::uint8_t* first, std::uint8_t* second, std::size_t bytes,
                                                      std::uint32_t lambda_units) {
  const __m256i weight = _mm256_set1_epi16(static_cast<short>(lambda_units));
  const __m256i zero = _mm256_setzero_si256(), half = _mm256_set1_epi8(static_cast<char>(0x80));
  std::size_t index = 0;
  for (; index + 32 <= bytes; index += 32) {
    auto* first_block = reinterpret_cast<__m256i*>(first + index);
    auto* second_block = reinterpret_cast<__m256i*>(second + index);
    const __m256i a = _mm256_loadu_si256(first_block), b = _mm256_loadu_si256(second_block);
    const __m256i low =
        _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_unpacklo_epi8(a, zero), _mm256_unpacklo_epi8(b, zero)), weight);
    const __m256i high =
        _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_unpackhi_epi8(a, zero), _mm256_unpackhi_epi8(b, zero)), weight);
    const __m256i first_low = _mm256_srli_epi16(_mm256_add_epi16(_mm256_unpacklo_epi8(half, b), low), 8);
    const __m256i first_high = _mm256_srli_epi16(_mm256_add_epi16(_mm256_unpackhi_epi8(half, b), high), 8);
    const __m256i second_low = _mm256_srli_epi16(_mm256_sub_epi16(_mm256_unpacklo_epi8(half, a), low), 8);
    const __m256i second_high = _mm256_srli_epi16(_mm256_sub_epi16(_mm256_unpackhi_epi8(half, a), high), 8);
    // unpack and pack both work within 128-bit halves, so the lanes come back in their original order.
    _mm256_storeu_si256(first_block, _mm256_packus_epi16(first_low, first_high));
    _mm256_storeu_si256(second_block, _mm256_packus_epi16(second_low, second_high));
  }
  blend_uint8_loop(first, second, index, bytes, lambda_units);
}

__attribute__((target("avx2"))) void blend_float_avx2(float* first, float* second, std::size_t values, float own,
                                                      float other) {
  blend_float_loop(first, second, values, own, other);
}

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif

}  // namespace

bool mixup_kernel_available(MixupKernel kernel) {
#ifdef GENINT_MIXUP_X86
  return kernel != MixupKernel::Avx2 || cpu_has_avx2();
#else
  return kernel == MixupKernel::Portable;
#endif
}

void blend_uint8_pair_with(MixupKernel kernel, std::uint8_t* first, std::uint8_t* second, std::size_t bytes,
                           std::uint32_t lambda_units) {
  GENINT_CHECK(mixup_kernel_available(kernel), "this CPU cannot run the requested Mixup kernel");
#ifdef GENINT_MIXUP_X86
  if (kernel == MixupKernel::Avx2) return blend_uint8_avx2(first, second, bytes, lambda_units);
  if (kernel == MixupKernel::Sse2) return blend_uint8_sse2(first, second, bytes, lambda_units);
#endif
  blend_uint8_loop(first, second, 0, bytes, lambda_units);
}

void blend_float_pair_with(MixupKernel kernel, float* first, float* second, std::size_t values,
                           std::uint32_t lambda_units) {
  GENINT_CHECK(mixup_kernel_available(kernel), "this CPU cannot run the requested Mixup kernel");
  const float own = static_cast<float>(lambda_units) / static_cast<float>(mixup_float_quantum);  // exact
  const float other = 1.0f - own;                                                                // exact too
#ifdef GENINT_MIXUP_X86
  if (kernel == MixupKernel::Avx2) return blend_float_avx2(first, second, values, own, other);
#endif
  blend_float_loop(first, second, values, own, other);
}

void blend_uint8_pair(std::uint8_t* first, std::uint8_t* second, std::size_t bytes, std::uint32_t lambda_units) {
#ifdef GENINT_MIXUP_X86
  if (cpu_has_avx2()) return blend_uint8_avx2(first, second, bytes, lambda_units);
  return blend_uint8_sse2(first, second, bytes, lambda_units);
#else
  blend_uint8_loop(first, second, 0, bytes, lambda_units);
#endif
}

void blend_float_pair(float* first, float* second, std::size_t values, std::uint32_t lambda_units) {
#ifdef GENINT_MIXUP_X86
  const MixupKernel best = cpu_has_avx2() ? MixupKernel::Avx2 : MixupKernel::Portable;
#else
  const MixupKernel best = MixupKernel::Portable;
#endif
  blend_float_pair_with(best, first, second, values, lambda_units);
}

}  // namespace genint::loader
