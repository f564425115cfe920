// Batch norm on CUDA against its CPU twin (training forward + running stats, eval forward, backward): a channel
// split into several reduction chunks, a spatial size smaller than a block (the cursors' wrap-around), and bfloat16
// input (a bf16 model's conv output). Skips without a GPU.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "nn/core/device_buffer.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

// Everything one comparison reads and writes, for `input` given to CUDA as float32 or as its bf16 bit patterns.
void compare_with_cpu(const BatchNormShape& shape, bool bf16_input) {
  const auto channels = static_cast<std::size_t>(shape.channels);
  const std::size_t total = static_cast<std::size_t>(shape.batch) * channels * static_cast<std::size_t>(shape.spatial);
  auto input = testing::seeded_uniform(total, 21, -3.0f, 5.0f);
  std::vector<std::uint16_t> input_bits(total);
  if (bf16_input) {  // the CPU twin reads the same values in float32
    float_to_bfloat16_cpu(input.data(), static_cast<std::int64_t>(total), input_bits.data());
    bfloat16_to_float_cpu(input_bits.data(), static_cast<std::int64_t>(total), input.data());
  }
  const auto grad_output = testing::seeded_uniform(total, 22, -1.0f, 1.0f);
  const auto gamma = testing::seeded_uniform(channels, 23, 0.5f, 1.5f);
  const auto beta = testing::seeded_uniform(channels, 24, -1.0f, 1.0f);
  std::vector<float> mean(channels, 0.1f), var(channels, 0.9f), output(total), saved_mean(channels);
  std::vector<float> saved_inverse_std(channels), eval_output(total), grad_input(total), grad_gamma(channels);
  std::vector<float> grad_beta(channels);
  const DeviceBuffer device_input = bf16_input ? to_device(input_bits) : to_device(input);
  const auto device_grad_output = to_device(grad_output), device_gamma = to_device(gamma);
  const auto device_beta = to_device(beta), device_mean = to_device(mean), device_var = to_device(var);
  const auto device_output = to_device(output), device_saved_mean = to_device(saved_mean);
  const auto device_saved_inverse_std = to_device(saved_inverse_std), device_eval_output = to_device(eval_output);
  const auto device_grad_input = to_device(grad_input), device_grad_gamma = to_device(grad_gamma);
  const auto device_grad_beta = to_device(grad_beta);
  const OpTarget cuda = OpTarget::cuda();
  const DeviceBuffer workspace(batch_norm_workspace_bytes(cuda, shape));
  const BatchNormInput device_values = bf16_input ? BatchNormInput(device_data<std::uint16_t>(device_input))
                                                  : BatchNormInput(device_data<float>(device_input));

  batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), 1e-5f, 0.1f, mean.data(), var.data(),
                               output.data(), saved_mean.data(), saved_inverse_std.data());
  batch_norm_forward_eval_cpu(input.data(), shape, gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f,
                              eval_output.data());
  batch_norm_backward_cpu(grad_output.data(), input.data(), shape, gamma.data(), saved_mean.data(),
                          saved_inverse_std.data(), grad_input.data(), grad_gamma.data(), grad_beta.data());
  batch_norm_forward_train(
      cuda, device_values, shape, device_data<float>(device_gamma), device_data<float>(device_beta), 1e-5f, 0.1f,
      device_data<float>(device_mean), device_data<float>(device_var), device_data<float>(device_output),
      device_data<float>(device_saved_mean), device_data<float>(device_saved_inverse_std), workspace.data());
  batch_norm_forward_eval(cuda, device_values, shape, device_data<float>(device_gamma), device_data<float>(device_beta),
                          device_data<float>(device_mean), device_data<float>(device_var), 1e-5f,
                          device_data<float>(device_eval_output));
  batch_norm_backward(cuda, device_data<float>(device_grad_output), device_values, shape,
                      device_data<float>(device_gamma), device_data<float>(device_saved_mean),
                      device_data<float>(device_saved_inverse_std), device_data<float>(device_grad_input),
                      device_data<float>(device_grad_gamma), device_data<float>(device_grad_beta), workspace.data());
  // Statistics are double sums in another order (chunks merged by Chan's formula), rounded to float once: equal
  // or 1 ulp apart.
  testing::expect_all_close(from_device<float>(device_saved_mean, channels), saved_mean, 1e-7, 1e-6, "saved_mean");
  testing::expect_all_close(from_device<float>(device_saved_inverse_std, channels), saved_inverse_std, 0.0, 1e-6,
                            "inverse_std");
  testing::expect_all_close(from_device<float>(device_mean, channels), mean, 1e-7, 1e-6, "running_mean");
  testing::expect_all_close(from_device<float>(device_var, channels), var, 0.0, 1e-6, "running_var");
  // nvcc contracts (x − mean)·scale + beta into one fma, gcc does not: a couple of ulps of outputs up to ~5.
  testing::expect_all_close(from_device<float>(device_output, total), output, 2e-6, 1e-6, "output");
  testing::expect_all_close(from_device<float>(device_eval_output, total), eval_output, 2e-6, 1e-6, "eval_output");
  testing::expect_all_close(from_device<float>(device_grad_input, total), grad_input, 2e-6, 1e-5, "grad_input");
  testing::expect_all_close(from_device<float>(device_grad_gamma, channels), grad_gamma, 1e-5, 1e-6, "grad_gamma");
  testing::expect_all_close(from_device<float>(device_grad_beta, channels), grad_beta, 1e-5, 1e-6, "grad_beta");
}

TEST(BatchNormCuda, TrainingEvalAndBackwardMatchTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // 7585 values per channel: four reduction chunks, the last block's stride partial.
  compare_with_cpu(BatchNormShape{5, 7, 37 * 41}, false);
}

TEST(BatchNormCuda, SpatialSmallerThanABlockMatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // 7×7 planes (ResNet's last stage): a 256-thread stride spans five images and 11 positions, so every cursor wraps;
  // 96·49 = 4704 values per channel in three chunks.
  compare_with_cpu(BatchNormShape{96, 3, 49}, false);
}

TEST(BatchNormCuda, Bfloat16InputMatchesTheCpuTwinOnTheSameValues) {
  GENINT_REQUIRE_CUDA_DEVICE();
  compare_with_cpu(BatchNormShape{6, 5, 23 * 19}, true);
}

}  // namespace
}  // namespace genint
