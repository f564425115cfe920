// CUDA tensors and arenas: host↔device↔device copies, zero fill, alignment, and no allocation after the
// first step; skips without a GPU.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "nn/tensor/arena.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

TEST(TensorCuda, CopiesRoundTripAndZeroFills) {
  GENINT_REQUIRE_CUDA_DEVICE();
  std::vector<float> values(1000);
  std::iota(values.begin(), values.end(), 0.5f);
  Tensor first = Tensor::empty(Shape{10, 100}, DType::Float32, Device::Cuda);
  first.copy_from_host(values.data(), values.size() * sizeof(float));
  Tensor second = Tensor::zeros(Shape{10, 100}, DType::Float32, Device::Cuda);
  second.copy_from(first);
  std::vector<float> back(values.size());
  second.copy_to_host(back.data(), back.size() * sizeof(float));
  EXPECT_EQ(back, values);
  second.slice_rows(2, 3).fill_zero();
  second.copy_to_host(back.data(), back.size() * sizeof(float));
  EXPECT_EQ(back[199], 199.5f);
  EXPECT_EQ(back[200], 0.0f);
  EXPECT_EQ(back[299], 0.0f);
  EXPECT_EQ(back[300], 300.5f);
}

TEST(ArenaCuda, AlignedAndQuietAfterTheFirstStep) {
  GENINT_REQUIRE_CUDA_DEVICE();
  Arena arena(Device::Cuda);
  for (int step = 0; step < 3; ++step) {
    const Tensor a = arena.allocate(Shape{3, 5}, DType::Float32);
    const Tensor b = arena.allocate(Shape{1 << 20}, DType::BFloat16);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.raw_data()) % Arena::kAlignment, 0u);
    EXPECT_EQ(b.device(), Device::Cuda);
    EXPECT_NE(a.raw_data(), b.raw_data());
    arena.reset();
    EXPECT_EQ(arena.system_allocations(), 3u);  // step 0: two overflow blocks, then one regrown block; none later
  }
}

}  // namespace
}  // namespace genint
