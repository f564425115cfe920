// A borrowed batch's memory handed to Python without copying: DLPack capsules (PyTorch) and read-only NumPy
// arrays whose owner keeps the batch borrowed, and device exports that follow the DLPack stream protocol.
#ifndef GENINT_PYTHON_BATCH_EXPORTS_H
#define GENINT_PYTHON_BATCH_EXPORTS_H

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "borrowed_batch.h"
#include "dlpack_abi.h"

namespace genint_python {

// One field of a batch as an n-dimensional view: where it starts, its element type, its shape and its strides
// in elements (the records' fields are strided views into the genint_intervention array).
struct FieldView {
  const void* data = nullptr;
  DlDataType dtype{};
  std::string numpy_format;  // the same element type for NumPy ("<f4", "|u1", ...)
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;
};

// One field of genint_intervention: its name, byte offset and type (latent_seed is uint64 for NumPy but int64
// for DLPack: PyTorch has no uint64, so its tensor holds the same 64 bits as a signed number).
struct RecordField {
  const char* name;
  std::size_t offset;
  DlDataType dlpack_dtype;
  const char* numpy_format;
};
const std::vector<RecordField>& record_fields();

// `name`: images, labels, weights, sources, items, or record.<field> (record_fields()). Host memory.
FieldView host_field(const BorrowedBatch& batch, const std::string& name);
// `name`: images, labels, weights: the batch's device copy (output.device cuda).
FieldView device_field(const BorrowedBatch& batch, const std::string& name);

// A DLPack capsule over `view` on `device`; the tensor made from it keeps `owner` borrowed until PyTorch
// frees it (on whatever thread: the deleter touches no Python state).
pybind11::capsule dlpack_capsule(std::shared_ptr<BorrowedBatch> owner, const FieldView& view, DlDevice device);
// A read-only NumPy array over `view` (or over the whole genint_intervention array, for `records_dtype`)
// whose base object keeps `owner` borrowed.
pybind11::array host_array(std::shared_ptr<BorrowedBatch> owner, const FieldView& view);
pybind11::array records_array(std::shared_ptr<BorrowedBatch> owner, const pybind11::object& records_dtype);

// One device field for torch.from_dlpack / any DLPack consumer: __dlpack__(stream) makes the consumer's stream
// wait for the batch's host→device copy first, and the release is then recorded on that stream.
class DeviceExport {
 public:
  DeviceExport(std::shared_ptr<BorrowedBatch> owner, const std::string& name);
  pybind11::capsule dlpack(const pybind11::object& stream);
  pybind11::tuple dlpack_device() const;

 private:
  std::shared_ptr<BorrowedBatch> owner_;
  FieldView view_;
};

}  // namespace genint_python

#endif  // GENINT_PYTHON_BATCH_EXPORTS_H
