// Test helpers for the nn ops beyond their goldens (tests/support/golden_file.h): fixed-seed inputs, the weighted
// sum whose gradient the backward passes compute, finite-difference gradient checks and device round trips.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "nn/core/device_buffer.h"
#include "support/golden_file.h"

namespace genint::testing {

// Σ output·weights in double: the scalar whose gradient the backward passes compute (weights play PyTorch's R).
inline double weighted_sum(const std::vector<float>& output, const std::vector<float>& weights) {
  double sum = 0.0;
  for (std::size_t index = 0; index < output.size(); ++index)
    sum += static_cast<double>(output[index]) * weights[index];
  return sum;
}

// Device round trips for the cuda-labelled tests (DeviceBuffer needs no CUDA headers).
template <typename T>
DeviceBuffer to_device(const std::vector<T>& values) {
  DeviceBuffer buffer(std::max<std::size_t>(values.size(), 1) * sizeof(T));
  if (!values.empty()) buffer.copy_from_host(values.data(), values.size() * sizeof(T));
  return buffer;
}
template <typename T>
std::vector<T> from_device(const DeviceBuffer& buffer, std::size_t count) {
  std::vector<T> values(count);
  if (count != 0) buffer.copy_to_host(values.data(), count * sizeof(T));
  return values;
}
template <typename T>
T* device_data(const DeviceBuffer& buffer) {
  return static_cast<T*>(buffer.data());
}

// Central differences of `loss` at every coordinate of `point` against `analytic` (the backward's gradient).
// The loss runs the float32 forward, so each difference carries rounding of about 1e-7·|loss|/step: callers pick
// a step and a tolerance for that and for the O(step²) truncation error, and say why.
inline void expect_gradient_matches_finite_differences(std::vector<float> point, const std::vector<float>& analytic,
                                                       const std::function<double(const std::vector<float>&)>& loss,
                                                       float step, double absolute, double relative,
                                                       const std::string& what) {
  ASSERT_EQ(point.size(), analytic.size()) << what;
  std::vector<float> numeric(point.size());
  for (std::size_t index = 0; index < point.size(); ++index) {
    const float original = point[index];
    point[index] = original + step;
    const double above = loss(point);
    point[index] = original - step;
    const double below = loss(point);
    point[index] = original;
    numeric[index] = static_cast<float>((above - below) / (2.0 * static_cast<double>(step)));
  }
  expect_all_close(analytic, numeric, absolute, relative, what + " (analytic vs finite differences)");
}

// Deterministic pseudo-random floats in [low, high) from a fixed-seed LCG (no <random> distribution, whose
// output differs between standard libraries).
inline std::vector<float> seeded_uniform(std::size_t count, unsigned seed, float low, float high) {
  std::vector<float> values(count);
  unsigned state = seed * 2654435761U + 12345U;
  for (auto& value : values) {
    state = state * 1664525U + 1013904223U;  // Numerical Recipes LCG: tiny, portable and good enough here
    value = low + (high - low) * static_cast<float>(state >> 8) / 16777216.0f;
  }
  return values;
}

}  // namespace genint::testing
