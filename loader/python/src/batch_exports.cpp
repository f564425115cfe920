// Batch fields as views (shape, strides, type) and their zero-copy exports: DLPack capsules, read-only NumPy
// arrays and device exports. Every export owns a reference to the BorrowedBatch, which keeps it borrowed.
#include "batch_exports.h"

#include <cstddef>
#include <utility>

namespace py = pybind11;

namespace genint_python {
namespace {

constexpr DlDataType kUint8{kDlUInt, 8, 1};
constexpr DlDataType kInt32{kDlInt, 32, 1};
constexpr DlDataType kInt64{kDlInt, 64, 1};
constexpr DlDataType kFloat32{kDlFloat, 32, 1};

std::int64_t element_bytes(DlDataType dtype) {
  return dtype.bits / 8;
}

std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t axis = shape.size(); axis-- > 1;) strides[axis - 1] = strides[axis] * shape[axis];
  return strides;
}

FieldView contiguous(const void* data, DlDataType dtype, const char* numpy_format, std::vector<std::int64_t> shape) {
  std::vector<std::int64_t> strides = contiguous_strides(shape);
  return {data, dtype, numpy_format, std::move(shape), std::move(strides)};
}

// uint8 HWC: N × S × S × 3 (as torchvision's PIL path delivers before ToTensor); float32 CHW: N × 3 × S × S.
FieldView image_view(const genint_batch& batch, const void* images) {
  if (batch.layout != GENINT_LAYOUT_UINT8_HWC && batch.layout != GENINT_LAYOUT_FLOAT32_CHW)
    throw CallFailure(GENINT_ERROR_INTERNAL, "genint.Batch", "unknown image layout " + std::to_string(batch.layout));
  const std::int64_t count = batch.size, side = batch.image_size;
  const bool hwc = batch.layout == GENINT_LAYOUT_UINT8_HWC;
  FieldView view = hwc ? contiguous(images, kUint8, "|u1", {count, side, side, 3})
                       : contiguous(images, kFloat32, "<f4", {count, 3, side, side});
  const std::int64_t expected = side * side * 3 * element_bytes(view.dtype);
  if (static_cast<std::int64_t>(batch.sample_bytes) != expected)
    throw CallFailure(
        GENINT_ERROR_INTERNAL, "genint.Batch",
        "sample_bytes is " + std::to_string(batch.sample_bytes) + ", the layout needs " + std::to_string(expected));
  return view;
}

void delete_exported(DlManagedTensor* managed);

// The DLManagedTensor and what it points into: shape and strides live here, and `owner` keeps the batch
// borrowed until the consumer calls the deleter.
struct ExportedTensor {
  DlManagedTensor managed{};
  std::shared_ptr<BorrowedBatch> owner;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;
};

void delete_exported(DlManagedTensor* managed) {
  delete static_cast<ExportedTensor*>(managed->manager_ctx);
}

// A capsule nobody consumed still owns its tensor; a consumed one was renamed and belongs to its consumer.
void delete_unconsumed_capsule(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, kDlpackCapsuleName)) return;
  auto* managed = static_cast<DlManagedTensor*>(PyCapsule_GetPointer(capsule, kDlpackCapsuleName));
  if (managed != nullptr && managed->deleter != nullptr) managed->deleter(managed);
}

py::capsule owner_capsule(std::shared_ptr<BorrowedBatch> owner) {
  return py::capsule(new std::shared_ptr<BorrowedBatch>(std::move(owner)),
                     [](void* pointer) { delete static_cast<std::shared_ptr<BorrowedBatch>*>(pointer); });
}

py::array read_only(py::array array) {
  array.attr("setflags")(py::arg("write") = false);
  return array;
}

}  // namespace

const std::vector<RecordField>& record_fields() {
  static const std::vector<RecordField> fields = {
      {"class_index", offsetof(genint_intervention, class_index), kInt32, "<i4"},
      {"reserved", offsetof(genint_intervention, reserved), kInt32, "<i4"},
      {"latent_seed", offsetof(genint_intervention, latent_seed), kInt64, "<u8"},
      {"truncation", offsetof(genint_intervention, truncation), kFloat32, "<f4"},
      {"space", offsetof(genint_intervention, space), kInt32, "<i4"},
      {"layer_begin", offsetof(genint_intervention, layer_begin), kInt32, "<i4"},
      {"layer_end", offsetof(genint_intervention, layer_end), kInt32, "<i4"},
      {"direction", offsetof(genint_intervention, direction), kInt32, "<i4"},
      {"step", offsetof(genint_intervention, step), kFloat32, "<f4"}};
  return fields;
}

FieldView host_field(const BorrowedBatch& borrowed, const std::string& name) {
  const genint_batch& batch = borrowed.batch();
  const std::int64_t count = batch.size;
  if (name == "images") return image_view(batch, batch.images);
  if (name == "labels") return contiguous(batch.labels, kInt32, "<i4", {count});
  if (name == "weights") return contiguous(batch.weights, kFloat32, "<f4", {count});
  if (name == "sources") return contiguous(batch.sources, kInt32, "<i4", {count});
  if (name == "items") return contiguous(batch.items, kInt64, "<i8", {count});
  const genint_batch_extras& extras = borrowed.extras();
  if (name == "mixup_partners") return contiguous(extras.mixup_partners, kInt32, "<i4", {count});
  if (name == "mixup_partner_labels") return contiguous(extras.mixup_partner_labels, kInt32, "<i4", {count});
  if (name == "mixup_lambdas") return contiguous(extras.mixup_lambdas, kFloat32, "<f4", {count});
  if (name == "auto_augment_sub_policies") return contiguous(extras.auto_augment_sub_policies, kInt32, "<i4", {count});
  // uint8 bits; PyTorch 1.13 takes uint8 DLPack tensors, so they stay unsigned.
  if (name == "auto_augment_ops") return contiguous(extras.auto_augment_ops, kUint8, "|u1", {count});
  if (name == "transfer_alphas") return contiguous(extras.transfer_alphas, kFloat32, "<f4", {count});
  for (const RecordField& field : record_fields()) {
    if (name != std::string("record.") + field.name) continue;
    // A strided view into the record array: each step is one genint_intervention, in elements of the field.
    static_assert(sizeof(genint_intervention) % 8 == 0, "record fields need whole-element strides");
    FieldView view = contiguous(reinterpret_cast<const char*>(batch.interventions) + field.offset, field.dlpack_dtype,
                                field.numpy_format, {count});
    view.strides = {static_cast<std::int64_t>(sizeof(genint_intervention)) / element_bytes(field.dlpack_dtype)};
    return view;
  }
  throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, "genint.Batch", "no batch field named '" + name + "'");
}

FieldView device_field(const BorrowedBatch& borrowed, const std::string& name) {
  if (!borrowed.has_device())
    throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, "genint.Batch",
                      "this loader has no device output (config \"output\": {\"device\": \"cuda\"})");
  const genint_device_batch& device = borrowed.device();
  const std::int64_t count = borrowed.batch().size;
  if (name == "images") return image_view(borrowed.batch(), device.images);
  if (name == "labels") return contiguous(device.labels, kInt32, "<i4", {count});
  if (name == "weights") return contiguous(device.weights, kFloat32, "<f4", {count});
  throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, "genint.Batch",
                    "device batches hold images, labels and weights; not '" + name + "'");
}

py::capsule dlpack_capsule(std::shared_ptr<BorrowedBatch> owner, const FieldView& view, DlDevice device) {
  auto exported = std::make_unique<ExportedTensor>();
  exported->owner = std::move(owner);
  exported->shape = view.shape;
  exported->strides = view.strides;
  DlTensor& tensor = exported->managed.dl_tensor;
  tensor.data = const_cast<void*>(view.data);  // DLPack has no const; the C API's buffers are the trainer's to read
  tensor.device = device;
  tensor.ndim = static_cast<std::int32_t>(exported->shape.size());
  tensor.dtype = view.dtype;
  tensor.shape = exported->shape.data();
  tensor.strides = exported->strides.data();
  tensor.byte_offset = 0;  // PyTorch 1.13 ignores byte_offset: data points at the first element itself
  exported->managed.manager_ctx = exported.get();
  exported->managed.deleter = delete_exported;
  PyObject* capsule = PyCapsule_New(&exported->managed, kDlpackCapsuleName, delete_unconsumed_capsule);
  if (capsule == nullptr) throw py::error_already_set();
  exported.release();  // the capsule, then its consumer, owns it now
  return py::reinterpret_steal<py::capsule>(capsule);
}

py::array host_array(std::shared_ptr<BorrowedBatch> owner, const FieldView& view) {
  const std::int64_t bytes = element_bytes(view.dtype);
  std::vector<py::ssize_t> shape(view.shape.begin(), view.shape.end()), strides;
  for (const std::int64_t stride : view.strides) strides.push_back(static_cast<py::ssize_t>(stride * bytes));
  return read_only(py::array(py::dtype(view.numpy_format), shape, strides, view.data, owner_capsule(std::move(owner))));
}

py::array records_array(std::shared_ptr<BorrowedBatch> owner, const py::object& records_dtype) {
  const auto dtype = py::reinterpret_borrow<py::dtype>(records_dtype);
  if (dtype.itemsize() != static_cast<py::ssize_t>(sizeof(genint_intervention)))
    throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, "genint.Batch",
                      "the records dtype has " + std::to_string(dtype.itemsize()) + " bytes, genint_intervention " +
                          std::to_string(sizeof(genint_intervention)));
  const genint_batch& batch = owner->batch();
  const std::vector<py::ssize_t> shape{batch.size}, strides{static_cast<py::ssize_t>(sizeof(genint_intervention))};
  return read_only(py::array(dtype, shape, strides, batch.interventions, owner_capsule(std::move(owner))));
}

DeviceExport::DeviceExport(std::shared_ptr<BorrowedBatch> owner, const std::string& name)
    : owner_(std::move(owner)), view_(device_field(*owner_, name)) {}

// The DLPack stream argument: None or 1 is the legacy default stream (NULL), 2 the per-thread default stream
// (cudaStreamPerThread is the handle 2), -1 means the consumer needs no synchronisation, anything else is a
// cudaStream_t.
py::capsule DeviceExport::dlpack(const py::object& stream) {
  const std::intptr_t value = stream.is_none() ? 1 : stream.cast<std::intptr_t>();
  if (value == -1) {
    owner_->require_borrowed("__dlpack__()");
  } else {
    owner_->wait_on_stream(value == 1 || value == 0 ? nullptr : reinterpret_cast<void*>(value));
  }
  return dlpack_capsule(owner_, view_, DlDevice{kDlCuda, owner_->device().device_index});
}

py::tuple DeviceExport::dlpack_device() const {
  return py::make_tuple(static_cast<int>(kDlCuda), owner_->device().device_index);
}

}  // namespace genint_python
