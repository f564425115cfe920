// Tensor: shapes, strides, owning/borrowed storage, reshapes and row slices, host copies.
// Storage is either aligned host memory or a DeviceBuffer; views share it through a shared_ptr.
#include "nn/tensor/tensor.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <utility>

#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/tensor/tensor_memory.h"

namespace genint {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32: return 4;
    case DType::BFloat16: return 2;
    case DType::Float16: return 2;
    case DType::UInt8: return 1;
  }
  throw Error("dtype_size: unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::BFloat16: return "bfloat16";
    case DType::Float16: return "float16";
    case DType::UInt8: return "uint8";
  }
  return "unknown";
}

const char* device_name(Device device) {
  return device == Device::Cpu ? "cpu" : "cuda";
}

void throw_dtype_mismatch(DType actual, DType requested) {
  throw Error(std::string("tensor holds ") + dtype_name(actual) + ", accessed as " + dtype_name(requested));
}

Shape::Shape(std::initializer_list<std::int64_t> sizes) {
  GENINT_CHECK(sizes.size() <= static_cast<std::size_t>(kMaxRank),
               "shape of rank " + std::to_string(sizes.size()) + " exceeds the maximum " + std::to_string(kMaxRank));
  for (const std::int64_t size : sizes) {
    GENINT_CHECK(size >= 0, "shape size " + std::to_string(size) + " is negative");
    sizes_[static_cast<std::size_t>(rank_++)] = size;
  }
}

std::int64_t Shape::operator[](int dimension) const {
  GENINT_CHECK(dimension >= 0 && dimension < rank_,
               "dimension " + std::to_string(dimension) + " out of range for " + to_string());
  return sizes_[static_cast<std::size_t>(dimension)];
}

std::int64_t Shape::element_count() const {
  return std::accumulate(sizes_.begin(), sizes_.begin() + rank_, std::int64_t{1}, std::multiplies<>());
}

Shape Shape::with_size(int dimension, std::int64_t size) const {
  GENINT_CHECK(dimension >= 0 && dimension < rank_ && size >= 0,
               "with_size(" + std::to_string(dimension) + ", " + std::to_string(size) + ") on " + to_string());
  Shape resized = *this;
  resized.sizes_[static_cast<std::size_t>(dimension)] = size;
  return resized;
}

bool Shape::operator==(const Shape& other) const {
  return rank_ == other.rank_ && std::equal(sizes_.begin(), sizes_.begin() + rank_, other.sizes_.begin());
}

std::string Shape::to_string() const {
  std::string text = "[";
  for (int dimension = 0; dimension < rank_; ++dimension) {
    if (dimension > 0) text += ", ";
    text += std::to_string(sizes_[static_cast<std::size_t>(dimension)]);
  }
  return text + "]";
}

class TensorStorage {
 public:
  TensorStorage(std::size_t bytes, Device device) : block_(bytes, device) {}
  void* data() const { return block_.data(); }

 private:
  detail::MemoryBlock block_;
};

Tensor::Tensor(std::shared_ptr<TensorStorage> storage, void* data, const Shape& shape, DType dtype, Device device)
    : storage_(std::move(storage)), data_(data), shape_(shape), dtype_(dtype), device_(device) {
  std::int64_t stride = 1;
  for (int dimension = shape.rank() - 1; dimension >= 0; --dimension) {
    strides_[static_cast<std::size_t>(dimension)] = stride;
    stride *= shape[dimension];
  }
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  const std::size_t bytes = static_cast<std::size_t>(shape.element_count()) * dtype_size(dtype);
  auto storage = std::make_shared<TensorStorage>(bytes, device);
  void* data = storage->data();
  return Tensor(std::move(storage), data, shape, dtype, device);
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor tensor = empty(shape, dtype, device);
  tensor.fill_zero();
  return tensor;
}

Tensor Tensor::borrow(void* data, const Shape& shape, DType dtype, Device device) {
  GENINT_CHECK(data != nullptr || shape.element_count() == 0, "Tensor::borrow of a null pointer");
  return Tensor(nullptr, data, shape, dtype, device);
}

std::int64_t Tensor::stride(int dimension) const {
  GENINT_CHECK(dimension >= 0 && dimension < rank(),
               "stride: dimension " + std::to_string(dimension) + " out of range for " + shape_.to_string());
  return strides_[static_cast<std::size_t>(dimension)];
}

bool Tensor::is_contiguous() const {
  std::int64_t expected = 1;
  for (int dimension = rank() - 1; dimension >= 0; --dimension) {
    if (shape_[dimension] != 1 && strides_[static_cast<std::size_t>(dimension)] != expected) return false;
    expected *= shape_[dimension];
  }
  return true;
}

Tensor Tensor::reshape(const Shape& shape) const {
  GENINT_CHECK(is_contiguous(), "reshape needs a contiguous tensor, got " + shape_.to_string());
  GENINT_CHECK(shape.element_count() == element_count(),
               "reshape of " + shape_.to_string() + " into " + shape.to_string() + " changes the element count");
  return Tensor(storage_, data_, shape, dtype_, device_);
}

Tensor Tensor::slice_rows(std::int64_t begin, std::int64_t end) const {
  GENINT_CHECK(rank() >= 1 && 0 <= begin && begin <= end && end <= shape_[0],
               "slice_rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") of " + shape_.to_string());
  Tensor view = *this;
  view.shape_ = shape_.with_size(0, end - begin);  // strides stay those of the parent
  view.data_ = static_cast<char*>(data_) + static_cast<std::size_t>(begin * strides_[0]) * dtype_size(dtype_);
  return view;
}

void Tensor::copy_from_host(const void* source, std::size_t bytes) {
  GENINT_CHECK(is_contiguous(), "copy_from_host needs a contiguous tensor");
  GENINT_CHECK(bytes == byte_count(), "copy_from_host of " + std::to_string(bytes) + " bytes into a " +
                                          std::to_string(byte_count()) + "-byte tensor " + shape_.to_string());
  detail::copy_bytes(data_, device_, source, Device::Cpu, bytes);
}

void Tensor::copy_to_host(void* destination, std::size_t bytes) const {
  GENINT_CHECK(is_contiguous(), "copy_to_host needs a contiguous tensor");
  GENINT_CHECK(bytes == byte_count(), "copy_to_host of " + std::to_string(bytes) + " bytes out of a " +
                                          std::to_string(byte_count()) + "-byte tensor " + shape_.to_string());
  detail::copy_bytes(destination, Device::Cpu, data_, device_, bytes);
}

void Tensor::copy_from_host(const void* source, std::size_t bytes, void* stream) {
  GENINT_CHECK(is_contiguous(), "copy_from_host needs a contiguous tensor");
  GENINT_CHECK(bytes == byte_count(), "copy_from_host of " + std::to_string(bytes) + " bytes into a " +
                                          std::to_string(byte_count()) + "-byte tensor " + shape_.to_string());
  detail::copy_bytes_on_stream(data_, device_, source, Device::Cpu, bytes, stream);
}

void Tensor::copy_to_host(void* destination, std::size_t bytes, void* stream) const {
  GENINT_CHECK(is_contiguous(), "copy_to_host needs a contiguous tensor");
  GENINT_CHECK(bytes == byte_count(), "copy_to_host of " + std::to_string(bytes) + " bytes out of a " +
                                          std::to_string(byte_count()) + "-byte tensor " + shape_.to_string());
  detail::copy_bytes_on_stream(destination, Device::Cpu, data_, device_, bytes, stream);
  // Callers read the bytes next. cudaMemcpyAsync waits for them only into pageable memory, not into pinned.
  if (device_ == Device::Cuda) cuda_stream_synchronize(stream);
}

void Tensor::copy_from(const Tensor& source) {
  GENINT_CHECK(is_contiguous() && source.is_contiguous(), "Tensor::copy_from needs contiguous tensors");
  GENINT_CHECK(source.shape() == shape_ && source.dtype() == dtype_,
               std::string("Tensor::copy_from ") + dtype_name(source.dtype()) + source.shape().to_string() + " into " +
                   dtype_name(dtype_) + shape_.to_string());
  detail::copy_bytes(data_, device_, source.raw_data(), source.device(), byte_count());
}

void Tensor::fill_zero() {
  GENINT_CHECK(is_contiguous(), "fill_zero needs a contiguous tensor");
  detail::zero_bytes(data_, device_, byte_count());
}

void Tensor::expect(const char* what, const Shape& shape, DType dtype, Device device) const {
  GENINT_CHECK(shape_ == shape && dtype_ == dtype && device_ == device,
               std::string(what) + ": expected " + dtype_name(dtype) + shape.to_string() + " on " +
                   device_name(device) + ", got " + dtype_name(dtype_) + shape_.to_string() + " on " +
                   device_name(device_));
}

}  // namespace genint
