// Batch norm on CUDA against its CPU twin (training forward + running stats, eval forward, backward) on a
// shape whose channels span several strides of the block; skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/batch_norm.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(BatchNormCuda, TrainingEvalAndBackwardMatchTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const BatchNormShape shape{5, 7, 37 * 41};  // 7585 values per channel: 15 strides of 512 threads, the last partial
  const std::size_t total = 5U * 7U * 37U * 41U;
  const auto input = testing::seeded_uniform(total, 21, -3.0f, 5.0f);
  const auto grad_output = testing::seeded_uniform(total, 22, -1.0f, 1.0f);
  const auto gamma = testing::seeded_uniform(7, 23, 0.5f, 1.5f);
  const auto beta = testing::seeded_uniform(7, 24, -1.0f, 1.0f);
  std::vector<float> mean(7, 0.1f), var(7, 0.9f), output(total), saved_mean(7), saved_inverse_std(7);
  std::vector<float> eval_output(total), grad_input(total), grad_gamma(7), grad_beta(7);
  const auto device_input = to_device(input), device_grad_output = to_device(grad_output);
  const auto device_gamma = to_device(gamma), device_beta = to_device(beta);
  const auto device_mean = to_device(mean), device_var = to_device(var);
  const auto device_output = to_device(output), device_saved_mean = to_device(saved_mean);
  const auto device_saved_inverse_std = to_device(saved_inverse_std), device_eval_output = to_device(eval_output);
  const auto device_grad_input = to_device(grad_input), device_grad_gamma = to_device(grad_gamma);
  const auto device_grad_beta = to_device(grad_beta);

  batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), 1e-5f, 0.1f, mean.data(), var.data(),
                               output.data(), saved_mean.data(), saved_inverse_std.data());
  batch_norm_forward_eval_cpu(input.data(), shape, gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f,
                              eval_output.data());
  batch_norm_backward_cpu(grad_output.data(), input.data(), shape, gamma.data(), saved_mean.data(),
                          saved_inverse_std.data(), grad_input.data(), grad_gamma.data(), grad_beta.data());
  batch_norm_forward_train_cuda(
      device_data<float>(device_input), shape, device_data<float>(device_gamma), device_data<float>(device_beta), 1e-5f,
      0.1f, device_data<float>(device_mean), device_data<float>(device_var), device_data<float>(device_output),
      device_data<float>(device_saved_mean), device_data<float>(device_saved_inverse_std), nullptr);
  batch_norm_forward_eval_cuda(device_data<float>(device_input), shape, device_data<float>(device_gamma),
                               device_data<float>(device_beta), device_data<float>(device_mean),
                               device_data<float>(device_var), 1e-5f, device_data<float>(device_eval_output), nullptr);
  batch_norm_backward_cuda(device_data<float>(device_grad_output), device_data<float>(device_input), shape,
                           device_data<float>(device_gamma), device_data<float>(device_saved_mean),
                           device_data<float>(device_saved_inverse_std), device_data<float>(device_grad_input),
                           device_data<float>(device_grad_gamma), device_data<float>(device_grad_beta), nullptr);
  // Statistics are double sums in another order, rounded to float once: equal or 1 ulp apart.
  testing::expect_all_close(from_device<float>(device_saved_mean, 7), saved_mean, 1e-7, 1e-6, "saved_mean");
  testing::expect_all_close(from_device<float>(device_saved_inverse_std, 7), saved_inverse_std, 0.0, 1e-6,
                            "inverse_std");
  testing::expect_all_close(from_device<float>(device_mean, 7), mean, 1e-7, 1e-6, "running_mean");
  testing::expect_all_close(from_device<float>(device_var, 7), var, 0.0, 1e-6, "running_var");
  // nvcc contracts (x − mean)·scale + beta into one fma, gcc does not: a couple of ulps of outputs up to ~5.
  testing::expect_all_close(from_device<float>(device_output, total), output, 2e-6, 1e-6, "output");
  testing::expect_all_close(from_device<float>(device_eval_output, total), eval_output, 2e-6, 1e-6, "eval_output");
  testing::expect_all_close(from_device<float>(device_grad_input, total), grad_input, 2e-6, 1e-5, "grad_input");
  testing::expect_all_close(from_device<float>(device_grad_gamma, 7), grad_gamma, 1e-5, 1e-6, "grad_gamma");
  testing::expect_all_close(from_device<float>(device_grad_beta, 7), grad_beta, 1e-5, 1e-6, "grad_beta");
}

}  // namespace
}  // namespace genint
