// Tests only: the inputs the ResNet tests feed (seeded planes, cyclic labels), a train step on them, and how they
// compare two tensors on any device (copied to the host, the largest difference relative to the reference's scale).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/models/procedural_weights.h"
#include "nn/models/resnet.h"
#include "nn/optim/sgd.h"
#include "nn/tensor/tensor.h"

namespace genint::testing {

// [batch, 3, size, size] float planes, uniform in [−0.5, 0.5) from splitmix64(seed + i).
inline std::vector<float> random_planes(int batch, int size, std::uint64_t seed) {
  std::vector<float> values(static_cast<std::size_t>(batch) * 3 * static_cast<std::size_t>(size) *
                            static_cast<std::size_t>(size));
  for (std::size_t index = 0; index < values.size(); ++index)
    values[index] = static_cast<float>(splitmix64(seed + index) >> 40) / 16777216.0f - 0.5f;
  return values;
}

// Label of sample s: (s · stride) mod classes, so a batch covers several classes.
inline std::vector<std::int32_t> cyclic_labels(int batch, int classes, int stride) {
  std::vector<std::int32_t> values(static_cast<std::size_t>(batch));
  for (int sample = 0; sample < batch; ++sample) values[static_cast<std::size_t>(sample)] = (sample * stride) % classes;
  return values;
}

inline std::vector<float> host_values(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), values.size() * sizeof(float));
  return values;
}

// max |actual − expected| / max |expected|: the error relative to the tensor's scale (any device). A size
// mismatch or an all-zero reference (which proves nothing) gives 1e30, which fails every tolerance.
inline double relative_difference(const Tensor& actual, const Tensor& expected) {
  const std::vector<float> a = host_values(actual), b = host_values(expected);
  double worst = 0.0, scale = 0.0;
  for (std::size_t index = 0; index < std::min(a.size(), b.size()); ++index) {
    worst = std::max(worst, std::fabs(static_cast<double>(a[index]) - b[index]));
    scale = std::max(scale, std::fabs(static_cast<double>(b[index])));
  }
  return a.size() == b.size() && scale > 0.0 ? worst / scale : 1e30;
}

// One train-mode forward and backward on [labels.size(), 3, size, size] planes; returns the loss.
inline float train_step(ResNet& model, const std::vector<float>& planes, const std::vector<std::int32_t>& labels,
                        int size) {
  const int batch = static_cast<int>(labels.size());
  model.forward(model.upload_images(planes.data(), batch, size, size), BatchNormMode::Train);
  return model.backward(labels.data(), batch);
}

// The same train step on a reference and a model (the same state): logits within `tolerance` of the reference's
// scale, then the loss within `tolerance` of the reference's. Gradients are left for the caller to compare.
inline void expect_train_steps_agree(ResNet& reference, ResNet& model, const std::vector<float>& planes,
                                     const std::vector<std::int32_t>& labels, int size, double tolerance) {
  const int batch = static_cast<int>(labels.size());
  const Tensor expected =
      reference.forward(reference.upload_images(planes.data(), batch, size, size), BatchNormMode::Train);
  const Tensor actual = model.forward(model.upload_images(planes.data(), batch, size, size), BatchNormMode::Train);
  EXPECT_LE(relative_difference(actual, expected), tolerance) << "logits";
  const float expected_loss = reference.backward(labels.data(), batch);
  const float actual_loss = model.backward(labels.data(), batch);
  EXPECT_NEAR(actual_loss, expected_loss, tolerance * std::fabs(expected_loss)) << "loss";
}

// A train step, then one SGD step (momentum 0.9, weight decay 1e-4) of every parameter with this learning rate.
inline void train_and_sgd_step(ResNet& model, const std::vector<float>& planes, const std::vector<std::int32_t>& labels,
                               int size, float learning_rate) {
  Sgd optimizer(SgdOptions{0.9f, 1e-4f, false});
  for (const ResNetTensor& parameter : model.parameters()) optimizer.add_parameter(parameter.value, parameter.grad);
  train_step(model, planes, labels, size);
  optimizer.step(learning_rate);
}

// The first two steps may still size the arena; a third that asks the system for memory again means something
// allocates per batch.
inline void expect_steps_stop_allocating(ResNet& model, const std::vector<float>& planes,
                                         const std::vector<std::int32_t>& labels, int size) {
  std::size_t allocations_after_second = 0;
  for (int step = 0; step < 3; ++step) {
    EXPECT_TRUE(std::isfinite(train_step(model, planes, labels, size))) << "step " << step;
    if (step == 1) allocations_after_second = model.arena().system_allocations();
  }
  EXPECT_EQ(model.arena().system_allocations(), allocations_after_second);
}

}  // namespace genint::testing
