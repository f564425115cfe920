// Test helpers for the nn ops held to PyTorch: opening the goldens in tests/data/golden/nn (safetensors),
// comparing float arrays with stated tolerances, finite-difference gradient checks and device round trips.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/safetensors/safetensors_reader.h"
#include "nn/core/device_buffer.h"

namespace genint::test {

inline io::SafetensorsFile open_nn_golden(const std::string& name) {
  return io::SafetensorsFile::open(std::string(GENINT_TEST_DATA_DIR) + "/golden/nn/" + name + ".safetensors");
}

// One dimension of a golden tensor's shape (every golden here is small); throws if the tensor has no such axis.
inline int golden_dimension(const io::SafetensorsFile& file, const std::string& name, std::size_t axis) {
  const std::vector<std::uint64_t>& shape = file.tensor(name).shape;
  if (axis >= shape.size()) throw std::out_of_range(name + " has no axis " + std::to_string(axis));
  return static_cast<int>(shape[axis]);
}

// Every |actual − expected| ≤ absolute + relative·|expected|; reports the count, the worst index and the first
// few misses, so a failure says how far off the op is, not just that it is.
inline void expect_all_close(const std::vector<float>& actual, const std::vector<float>& expected, double absolute,
                             double relative, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  std::size_t misses = 0;
  std::size_t worst = 0;
  double worst_error = -1.0;
  for (std::size_t index = 0; index < actual.size(); ++index) {
    const double error = std::fabs(static_cast<double>(actual[index]) - expected[index]);
    const bool close = error <= absolute + relative * std::fabs(static_cast<double>(expected[index]));
    if (!close || std::isnan(actual[index]) != std::isnan(expected[index])) {
      if (++misses <= 5) ADD_FAILURE() << what << "[" << index << "]: " << actual[index] << " vs " << expected[index];
    }
    if (error > worst_error) {
      worst_error = error;
      worst = index;
    }
  }
  EXPECT_EQ(misses, 0U) << what << ": worst |error| " << worst_error << " at " << worst << " of " << actual.size();
}

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

}  // namespace genint::test
