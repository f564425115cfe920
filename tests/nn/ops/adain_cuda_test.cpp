// AdaIN on CUDA against its CPU twin: statistics (double sums in another order, rounded once to float), the
// transform and the clamp bit for bit, on a batch with per-content and shared style rows; skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/adain.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(AdaINCuda, StatisticsTransformAndClampMatchTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const int batch = 3, channels = 5, height = 23, width = 19;  // plane of 437: not a multiple of the block
  const std::int64_t planes = batch * channels, plane_size = height * width;
  const auto content = testing::seeded_uniform(static_cast<std::size_t>(planes * plane_size), 21, -3.0f, 5.0f);
  std::vector<float> mean(planes), sigma(planes);
  adain_statistics_cpu(content.data(), planes, plane_size, mean.data(), sigma.data());
  const auto device_content = to_device(content);
  const auto device_mean = to_device(mean), device_sigma = to_device(sigma);
  adain_statistics(OpTarget::cuda(), device_data<float>(device_content), planes, plane_size,
                   device_data<float>(device_mean), device_data<float>(device_sigma));
  // Double sums of 437 floats in two orders differ by ~1e-16 relative: after the one rounding to float the
  // results are equal or one ulp (6e-8 relative) apart.
  testing::expect_all_close(from_device<float>(device_mean, mean.size()), mean, 1e-7, 1.2e-7, "mean");
  testing::expect_all_close(from_device<float>(device_sigma, sigma.size()), sigma, 0.0, 1.2e-7, "sigma");

  const auto style_mean = testing::seeded_uniform(static_cast<std::size_t>(planes), 22, -1.0f, 1.0f);
  const auto style_sigma = testing::seeded_uniform(static_cast<std::size_t>(planes), 23, 0.1f, 2.0f);
  const auto device_style_mean = to_device(style_mean), device_style_sigma = to_device(style_sigma);
  const auto device_cpu_mean = to_device(mean), device_cpu_sigma = to_device(sigma);  // the same inputs on both
  for (const int style_batch : {1, batch}) {
    const AdaINShape shape{batch, channels, height, width, style_batch};
    std::vector<float> output(content.size());
    adain_transform_cpu(content.data(), mean.data(), sigma.data(), style_mean.data(), style_sigma.data(), shape, 0.6f,
                        output.data());
    const auto device_output = to_device(content);
    adain_transform(OpTarget::cuda(), device_data<float>(device_content), device_data<float>(device_cpu_mean),
                    device_data<float>(device_cpu_sigma), device_data<float>(device_style_mean),
                    device_data<float>(device_style_sigma), shape, 0.6f, device_data<float>(device_output));
    // The same float operations in the same order, none fused: identical bits.
    testing::expect_all_close(from_device<float>(device_output, output.size()), output, 0.0, 0.0, "transform");
    clamp_unit_interval_cpu(output.data(), static_cast<std::int64_t>(output.size()));
    clamp_unit_interval(OpTarget::cuda(), device_data<float>(device_output), static_cast<std::int64_t>(output.size()));
    testing::expect_all_close(from_device<float>(device_output, output.size()), output, 0.0, 0.0, "clamp");
  }
}

}  // namespace
}  // namespace genint
