// Mixup's pixel work: a pair of samples blended in place with one λ, as exact 16-bit integer arithmetic (uint8) or
// float (float32); SSE2 and AVX2 kernels chosen at run time, bit-identical to each other and to the portable loops.
#pragma once

#include <cstddef>
#include <cstdint>

namespace genint::loader {

// λ is a multiple of 1/quantum, and the λ reported is the λ applied. uint8: 1/256, so the blend is exact 16-bit
// integer arithmetic (a step of 1/256 in λ moves a blended byte by less than one level); float32: 1/65536. The
// loader draws every λ in 1/256 (BatchMixup), so either blend can serve a float32 pair.
constexpr std::uint32_t mixup_uint8_quantum = 256;
constexpr std::uint32_t mixup_float_quantum = 65536;

// In place, both from the two originals, with w = λ · quantum. uint8: out = (w·a + (256 − w)·b + 128) >> 8, i.e.
// λa + (1 − λ)b rounded half up, exactly. float32: out = λa + (1 − λ)b in float, two products and a sum each
// rounded once (normalisation is affine, so blending normalised values equals normalising the blended image).
void blend_uint8_pair(std::uint8_t* first, std::uint8_t* second, std::size_t bytes, std::uint32_t lambda_units);
void blend_float_pair(float* first, float* second, std::size_t values, std::uint32_t lambda_units);

// The kernels one by one, so tests can hold each against the portable loops (blend_*_pair pick the best one the
// CPU runs). Float has no SSE2 kernel of its own: the compiler vectorises the portable loop with SSE2.
enum class MixupKernel { Portable, Sse2, Avx2 };
bool mixup_kernel_available(MixupKernel kernel);
void blend_uint8_pair_with(MixupKernel kernel, std::uint8_t* first, std::uint8_t* second, std::size_t bytes,
                           std::uint32_t lambda_units);
void blend_float_pair_with(MixupKernel kernel, float* first, float* second, std::size_t values,
                           std::uint32_t lambda_units);

}  // namespace genint::loader
