// normalize_images on CUDA against its CPU twin; skips without a GPU.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "nn/core/device_buffer.h"
#include "nn/ops/normalize_images.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

TEST(NormalizeImagesCuda, BitIdenticalToTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const int count = 4, height = 37, width = 53;  // odd sizes: the last block is partial
  std::vector<std::uint8_t> images(static_cast<std::size_t>(count) * height * width * 3);
  std::mt19937 generator(5);
  for (auto& value : images) value = static_cast<std::uint8_t>(generator() & 0xFF);
  std::vector<float> expected(images.size());
  const ImageNormalization normalization;
  normalize_images_cpu(images.data(), count, height, width, normalization, expected.data());

  DeviceBuffer device_images(images.size());
  DeviceBuffer device_output(expected.size() * sizeof(float));
  device_images.copy_from_host(images.data(), images.size());
  std::vector<float> poison(expected.size(), -1000.0f);
  device_output.copy_from_host(poison.data(), poison.size() * sizeof(float));
  normalize_images(OpTarget::cuda(), static_cast<const std::uint8_t*>(device_images.data()), count, height, width,
                   normalization, static_cast<float*>(device_output.data()));
  std::vector<float> actual(expected.size());
  device_output.copy_to_host(actual.data(), actual.size() * sizeof(float));
  // Both backends evaluate the same correctly rounded fmaf on the same float inputs: exact equality.
  for (std::size_t index = 0; index < actual.size(); ++index) ASSERT_EQ(actual[index], expected[index]) << index;
}

}  // namespace
}  // namespace genint
