// Tensor: a typed, strided view of CPU or CUDA memory that either owns its storage or borrows it.
// Shapes live inline (no heap), so views made from an Arena in a training step never allocate.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "nn/core/device.h"

namespace genint {

// Element types. bfloat16 is a storage type (float32's upper 16 bits, accessed as std::uint16_t patterns): CUDA
// kernels read and write it and compute in float32; the CPU twins hold the same values in float32 storage.
enum class DType { Float32, BFloat16, Float16, UInt8 };

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
const char* device_name(Device device);

// Sizes of up to kMaxRank dimensions, stored inline.
class Shape {
 public:
  static constexpr int kMaxRank = 6;
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> sizes);
  int rank() const { return rank_; }
  std::int64_t operator[](int dimension) const;
  std::int64_t element_count() const;
  // A copy with dimension `dimension` resized to `size`.
  Shape with_size(int dimension, std::int64_t size) const;
  bool operator==(const Shape& other) const;
  bool operator!=(const Shape& other) const { return !(*this == other); }
  std::string to_string() const;  // "[2, 3, 4]"

 private:
  std::array<std::int64_t, kMaxRank> sizes_{};
  int rank_ = 0;
};

// Where an owning tensor's bytes live; freed when the last tensor sharing it goes.
class TensorStorage;

class Tensor {
 public:
  Tensor() = default;
  // Owning, contiguous, uninitialised (256-byte aligned on CPU and CUDA).
  static Tensor empty(const Shape& shape, DType dtype, Device device);
  // Owning, contiguous, all bytes zero.
  static Tensor zeros(const Shape& shape, DType dtype, Device device);
  // Borrowed, contiguous: the caller keeps `data` alive for as long as the tensor is used.
  static Tensor borrow(void* data, const Shape& shape, DType dtype, Device device);

  const Shape& shape() const { return shape_; }
  std::int64_t size(int dimension) const { return shape_[dimension]; }
  int rank() const { return shape_.rank(); }
  std::int64_t stride(int dimension) const;  // in elements
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool owns_storage() const { return storage_ != nullptr; }
  bool defined() const { return data_ != nullptr || shape_.element_count() == 0; }
  std::int64_t element_count() const { return shape_.element_count(); }
  std::size_t byte_count() const { return static_cast<std::size_t>(element_count()) * dtype_size(dtype_); }
  bool is_contiguous() const;

  void* raw_data() const { return data_; }
  // Typed access; throws when the dtype does not match T.
  template <typename T>
  T* data() const;
  // data<T>(), or nullptr for an undefined tensor (an optional operand).
  template <typename T>
  T* data_or_null() const {
    return defined() ? data<T>() : nullptr;
  }

  // Same storage, new shape with the same element count; needs a contiguous tensor.
  Tensor reshape(const Shape& shape) const;
  // Rows [begin, end) of dimension 0, sharing storage.
  Tensor slice_rows(std::int64_t begin, std::int64_t end) const;

  // Blocking copies between this (contiguous) tensor and host memory of exactly byte_count() bytes.
  void copy_from_host(const void* source, std::size_t bytes);
  void copy_to_host(void* destination, std::size_t bytes) const;
  // The same, queued on `stream` (a cudaStream_t; nullptr = default stream) behind the work already there, so a
  // stream needs no synchronisation around them (cudaMemcpyAsync; from pageable memory a host-to-device copy
  // returns once the bytes are staged; a device-to-host copy synchronizes the stream, so it returns once they have
  // arrived, into pinned memory too). CPU tensors: plain copies.
  void copy_from_host(const void* source, std::size_t bytes, void* stream);
  void copy_to_host(void* destination, std::size_t bytes, void* stream) const;
  // Copies all elements of `source` (same shape, dtype; any devices; both contiguous).
  void copy_from(const Tensor& source);
  void fill_zero();

  // Throws naming `what` unless shape, dtype and device are as given.
  void expect(const char* what, const Shape& shape, DType dtype, Device device) const;

 private:
  Tensor(std::shared_ptr<TensorStorage> storage, void* data, const Shape& shape, DType dtype, Device device);
  std::shared_ptr<TensorStorage> storage_;
  void* data_ = nullptr;
  Shape shape_;
  std::array<std::int64_t, Shape::kMaxRank> strides_{};
  DType dtype_ = DType::Float32;
  Device device_ = Device::Cpu;
};

// The DType data<T>() accepts for T, picked by overload (exact match only; bfloat16 is read as its bit patterns).
struct TensorElementDtypes {
  static constexpr DType of(const float*) { return DType::Float32; }
  static constexpr DType of(const std::uint8_t*) { return DType::UInt8; }
  static constexpr DType of(const std::uint16_t*) { return DType::BFloat16; }
};
template <typename T>
constexpr DType dtype_of() {
  return TensorElementDtypes::of(static_cast<const T*>(nullptr));
}

void throw_dtype_mismatch(DType actual, DType requested);

template <typename T>
T* Tensor::data() const {
  if (dtype_ != dtype_of<T>()) throw_dtype_mismatch(dtype_, dtype_of<T>());
  return static_cast<T*>(data_);
}

}  // namespace genint
