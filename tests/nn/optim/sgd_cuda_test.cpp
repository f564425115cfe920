// SGD on CUDA against its CPU twin over three steps (Nesterov, momentum, plain); skips without a GPU.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "nn/optim/sgd.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

TEST(SgdCuda, BitIdenticalToTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const std::int64_t count = 1000;  // not a multiple of the block size
  std::mt19937 generator(9);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> start(count), grad(count);
  for (float& value : start) value = normal(generator);
  for (float& value : grad) value = normal(generator);
  for (const bool nesterov : {false, true}) {
    for (const float momentum : {0.0f, 0.9f}) {
      if (nesterov && momentum == 0.0f) continue;
      SgdOptions options{momentum, 1e-4f, nesterov};
      Tensor cpu_parameter = Tensor::empty(Shape{count}, DType::Float32, Device::Cpu);
      Tensor cpu_gradient = Tensor::empty(Shape{count}, DType::Float32, Device::Cpu);
      cpu_parameter.copy_from_host(start.data(), count * sizeof(float));
      cpu_gradient.copy_from_host(grad.data(), count * sizeof(float));
      Tensor gpu_parameter = Tensor::empty(Shape{count}, DType::Float32, Device::Cuda);
      Tensor gpu_gradient = Tensor::empty(Shape{count}, DType::Float32, Device::Cuda);
      gpu_parameter.copy_from(cpu_parameter);
      gpu_gradient.copy_from(cpu_gradient);
      Sgd cpu(options), gpu(options);
      cpu.add_parameter(cpu_parameter, cpu_gradient);
      gpu.add_parameter(gpu_parameter, gpu_gradient);
      for (int step = 0; step < 3; ++step) {
        cpu.step(0.1f);
        gpu.step(0.1f);
      }
      std::vector<float> expected(count), actual(count);
      cpu_parameter.copy_to_host(expected.data(), count * sizeof(float));
      gpu_parameter.copy_to_host(actual.data(), count * sizeof(float));
      // Both sides round each multiply and add separately (no FMA contraction): exact equality.
      for (std::int64_t index = 0; index < count; ++index)
        ASSERT_EQ(actual[index], expected[index])
            << "momentum " << momentum << " nesterov " << nesterov << " at " << index;
    }
  }
}

}  // namespace
}  // namespace genint
