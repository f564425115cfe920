// How bf16 ResNet results are compared (CPU twin vs float32, CUDA bf16 vs CPU twin), with the tolerances and why.
// Measured on the CPU (ResNet-18, small stem, 32x32, batch 8): bf16 vs float32 differ by ~1e-2 in the logits and
// fc gradient, and the conv-weight gradients keep a cosine of ~0.93..0.99 with the float32 ones.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/models/resnet_test_support.h"
#include "nn/tensor/tensor.h"

namespace genint::testing {

// bf16 keeps 8 significant bits (each rounding errs by up to 2^-9 ≈ 2e-3); ~20 rounded convolutions in a row,
// each renormalised by batch norm, leave a few 1e-2 of the largest magnitude in logits and the fc gradient.
// 0.15 is ~4x that and still fails on any layout, transpose or indexing error (those give O(1) differences).
constexpr double kBf16Relative = 0.15;
// Float32 paths agree to ~1e-5: a difference above this shows the bf16 roundings really happen.
constexpr double kBf16InEffect = 1e-4;
// The weight gradient of a conv followed by train-mode batch norm is a small residual of large terms (batch norm's
// backward removes the mean and the normalised-input component), so bf16 noise in it is large element-wise
// (up to ~50% of the largest value) while its direction stays: cosine ~0.93 at worst. A wrong gradient has ~0.
constexpr double kBf16ConvGradCosine = 0.8;

inline double cosine(const Tensor& first, const Tensor& second) {
  const std::vector<float> a = host_values(first), b = host_values(second);
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t index = 0; index < std::min(a.size(), b.size()); ++index) {
    ab += static_cast<double>(a[index]) * b[index];
    aa += static_cast<double>(a[index]) * a[index];
    bb += static_cast<double>(b[index]) * b[index];
  }
  return a.size() == b.size() && aa > 0.0 && bb > 0.0 ? ab / std::sqrt(aa * bb) : 0.0;
}

}  // namespace genint::testing
