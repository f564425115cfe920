// Tensor: shapes, strides, owning vs borrowed storage, reshape/slice views, copies and their checks.
#include "nn/tensor/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint {
namespace {

TEST(Shape, CountsComparesAndPrints) {
  const Shape shape{2, 3, 4};
  EXPECT_EQ(shape.rank(), 3);
  EXPECT_EQ(shape.element_count(), 24);
  EXPECT_EQ(shape.to_string(), "[2, 3, 4]");
  EXPECT_EQ(shape, (Shape{2, 3, 4}));
  EXPECT_NE(shape, (Shape{2, 3}));
  EXPECT_EQ(shape.with_size(1, 7), (Shape{2, 7, 4}));
  EXPECT_THROW(shape[3], Error);
  EXPECT_THROW((Shape{1, 2, 3, 4, 5, 6, 7}), Error);
  EXPECT_THROW((Shape{2, -1}), Error);
}

TEST(Tensor, OwningTensorIsContiguousAlignedAndZeroable) {
  Tensor tensor = Tensor::zeros(Shape{3, 5}, DType::Float32, Device::Cpu);
  EXPECT_TRUE(tensor.owns_storage());
  EXPECT_TRUE(tensor.is_contiguous());
  EXPECT_EQ(tensor.stride(0), 5);
  EXPECT_EQ(tensor.stride(1), 1);
  EXPECT_EQ(tensor.byte_count(), 60u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(tensor.raw_data()) % 64, 0u);
  for (std::int64_t index = 0; index < tensor.element_count(); ++index) EXPECT_EQ(tensor.data<float>()[index], 0.0f);
  EXPECT_THROW(tensor.data<std::uint8_t>(), Error);
}

TEST(Tensor, BorrowedTensorSeesTheCallersMemory) {
  std::vector<float> memory(12);
  std::iota(memory.begin(), memory.end(), 0.0f);
  const Tensor tensor = Tensor::borrow(memory.data(), Shape{3, 4}, DType::Float32, Device::Cpu);
  EXPECT_FALSE(tensor.owns_storage());
  memory[5] = 42.0f;
  EXPECT_EQ(tensor.data<float>()[5], 42.0f);
  EXPECT_THROW(Tensor::borrow(nullptr, Shape{1}, DType::Float32, Device::Cpu), Error);
}

TEST(Tensor, ReshapeAndSliceShareStorage) {
  Tensor tensor = Tensor::empty(Shape{4, 3}, DType::Float32, Device::Cpu);
  for (int index = 0; index < 12; ++index) tensor.data<float>()[index] = static_cast<float>(index);
  const Tensor rows = tensor.slice_rows(1, 3);
  EXPECT_EQ(rows.shape(), (Shape{2, 3}));
  EXPECT_EQ(rows.data<float>()[0], 3.0f);
  EXPECT_TRUE(rows.is_contiguous());
  const Tensor flat = rows.reshape(Shape{6});
  EXPECT_EQ(flat.data<float>()[5], 8.0f);
  EXPECT_THROW(tensor.reshape(Shape{5, 2}), Error);
  EXPECT_THROW(tensor.slice_rows(3, 5), Error);
  // The view keeps the owner's storage alive after the owner is gone.
  const Tensor survivor = Tensor::zeros(Shape{8}, DType::UInt8, Device::Cpu).slice_rows(2, 4);
  EXPECT_EQ(survivor.data<std::uint8_t>()[1], 0);
}

TEST(Tensor, HostCopiesCheckTheirSize) {
  Tensor tensor = Tensor::empty(Shape{2, 2}, DType::Float32, Device::Cpu);
  const std::vector<float> source{1, 2, 3, 4};
  tensor.copy_from_host(source.data(), 16);
  std::vector<float> back(4);
  tensor.copy_to_host(back.data(), 16);
  EXPECT_EQ(back, source);
  EXPECT_THROW(tensor.copy_from_host(source.data(), 12), Error);
  Tensor other = Tensor::empty(Shape{2, 2}, DType::Float32, Device::Cpu);
  other.copy_from(tensor);
  EXPECT_EQ(other.data<float>()[3], 4.0f);
  EXPECT_THROW(other.copy_from(Tensor::empty(Shape{4}, DType::Float32, Device::Cpu)), Error);
}

TEST(Tensor, DtypesHaveSizesAndNames) {
  EXPECT_EQ(dtype_size(DType::Float32), 4u);
  EXPECT_EQ(dtype_size(DType::BFloat16), 2u);
  EXPECT_EQ(dtype_size(DType::Float16), 2u);
  EXPECT_EQ(dtype_size(DType::UInt8), 1u);
  EXPECT_STREQ(dtype_name(DType::BFloat16), "bfloat16");
  const Tensor half = Tensor::empty(Shape{3}, DType::Float16, Device::Cpu);
  EXPECT_EQ(half.byte_count(), 6u);
  try {
    half.expect("activations", Shape{3}, DType::Float32, Device::Cpu);
    FAIL() << "expect() accepted a float16 tensor as float32";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("activations"), std::string::npos) << error.what();
  }
}

// Only a CPU-only build has this test (a CUDA build's tensors are covered by the cuda-labelled tests), so it
// is never a skipped unit test.
#if !GENINT_WITH_CUDA
TEST(Tensor, CudaTensorsNeedTheBackend) {
  EXPECT_THROW(Tensor::empty(Shape{4}, DType::Float32, Device::Cuda), Error);
}
#endif

}  // namespace
}  // namespace genint
