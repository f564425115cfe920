// The DLPack structs (dmlc/dlpack, ABI unchanged since v0.2; DLContext was renamed DLDevice with the same
// layout) that PyTorch's and NumPy's from_dlpack read. Debian ships no dlpack.h, so the stable ABI is spelled here.
#ifndef GENINT_PYTHON_DLPACK_ABI_H
#define GENINT_PYTHON_DLPACK_ABI_H

#include <cstdint>

namespace genint_python {

// Device types this binding produces (DLDeviceType): host memory, pinned or not, is kDLCPU because PyTorch 1.13
// refuses kDLCUDAHost; device batches are kDLCUDA.
enum DlDeviceType : std::int32_t { kDlCpu = 1, kDlCuda = 2 };
// Type codes (DLDataTypeCode).
enum DlTypeCode : std::uint8_t { kDlInt = 0, kDlUInt = 1, kDlFloat = 2 };

struct DlDevice {
  std::int32_t device_type;
  std::int32_t device_id;
};

struct DlDataType {
  std::uint8_t code;
  std::uint8_t bits;
  std::uint16_t lanes;
};

struct DlTensor {
  void* data;
  DlDevice device;
  std::int32_t ndim;
  DlDataType dtype;
  std::int64_t* shape;
  std::int64_t* strides;  // in elements, not bytes
  std::uint64_t byte_offset;
};

struct DlManagedTensor {
  DlTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DlManagedTensor* self);
};

// The PyCapsule names of the protocol: a consumer renames the capsule once it owns the tensor.
inline constexpr const char* kDlpackCapsuleName = "dltensor";
inline constexpr const char* kDlpackUsedCapsuleName = "used_dltensor";

static_assert(sizeof(DlDevice) == 8 && sizeof(DlDataType) == 4, "DLPack layout");
static_assert(sizeof(DlTensor) == 48 && sizeof(DlManagedTensor) == 64, "DLPack layout (64-bit platforms)");

}  // namespace genint_python

#endif  // GENINT_PYTHON_DLPACK_ABI_H
