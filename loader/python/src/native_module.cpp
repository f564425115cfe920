// genint._native: the pybind11 module under the genint package. It holds no policy (that is Python's, in
// genint/_loader.py); it owns the C handles, exports batch memory without copying and raises the C API's statuses.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "batch_exports.h"
#include "borrowed_batch.h"
#include "genint.h"

namespace py = pybind11;

namespace genint_python {
namespace {

// genint._native.Loader: one open NativeLoader, or none once closed. Closing drops only this reference: batches
// still alive keep the genint_loader until they are gone.
class LoaderObject {
 public:
  explicit LoaderObject(std::shared_ptr<NativeLoader> loader) : loader_(std::move(loader)) {}

  std::shared_ptr<BorrowedBatch> next_batch(bool device_output) {
    return BorrowedBatch::take(require_open("next_batch()"), device_output);
  }
  std::int32_t source_count() const {
    std::int32_t count = 0;
    check(genint_loader_source_count(require_open("source_count()")->get(), &count), "genint_loader_source_count");
    return count;
  }
  // The text grows while we ask (rates gain digits): a too-small buffer is answered with the new length.
  std::string stats_json() const {
    genint_loader* const handle = require_open("stats()")->get();
    std::size_t length = 0;
    check(genint_loader_stats_json(handle, nullptr, 0, &length), "genint_loader_stats_json");
    std::vector<char> text;
    for (int attempt = 0; attempt < 8; ++attempt) {
      text.resize(length + 64);
      const genint_status status = genint_loader_stats_json(handle, text.data(), text.size(), &length);
      if (status == GENINT_OK) return std::string(text.data(), length);
      if (status != GENINT_ERROR_INVALID_ARGUMENT || length < text.size()) check(status, "genint_loader_stats_json");
    }
    throw CallFailure(GENINT_ERROR_INTERNAL, "genint_loader_stats_json", "the statistics kept growing");
  }
  void set_ring(int ring_size, bool in_order) { require_open("set_ring()")->set_ring(ring_size, in_order); }
  int live_batches() const { return loader_ ? loader_->live_batches() : 0; }
  bool closed() const { return !loader_; }
  void close() { loader_.reset(); }

 private:
  std::shared_ptr<NativeLoader> require_open(const char* what) const {
    if (!loader_)
      throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, std::string("genint.Loader.") + what, "the loader is closed");
    return loader_;
  }

  std::shared_ptr<NativeLoader> loader_;
};

// The raw addresses the C API handed out, for callers (and tests) that check nothing was copied.
py::dict batch_pointers(const BorrowedBatch& borrowed) {
  const auto address = [](const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); };
  py::dict pointers;
  for (const char* name : {"images", "labels", "weights", "sources", "items", "mixup_partners", "mixup_partner_labels",
                           "mixup_lambdas", "auto_augment_sub_policies", "auto_augment_ops", "transfer_alphas"})
    pointers[name] = address(host_field(borrowed, name).data);
  pointers["interventions"] = address(borrowed.batch().interventions);
  if (borrowed.has_device())
    for (const char* name : {"images", "labels", "weights"})
      pointers[py::str(std::string("device_") + name)] = address(device_field(borrowed, name).data);
  return pointers;
}

// CallFailure → the genint.Error subclass for its status (genint/_errors.py decides which).
void translate_call_failure(std::exception_ptr pending) {
  if (!pending) return;
  try {
    std::rethrow_exception(pending);
  } catch (const CallFailure& failure) {
    const py::object error = py::module_::import("genint._errors")
                                 .attr("error_from_status")(static_cast<int>(failure.status()), failure.call(),
                                                            failure.message(), failure.batch_released());
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
  }
}

// A header from one release with a library from another would disagree on struct layouts.
void check_abi() {
  if (genint_abi_version() != GENINT_ABI_VERSION || genint_abi_minor_version() < GENINT_ABI_MINOR_VERSION)
    throw py::import_error("genint._native was built against genint ABI " + std::to_string(GENINT_ABI_VERSION) + "." +
                           std::to_string(GENINT_ABI_MINOR_VERSION) + " but loaded libgenint " +
                           genint_version_string() + " with ABI " + std::to_string(genint_abi_version()) + "." +
                           std::to_string(genint_abi_minor_version()));
}

void define_batch(py::module_& module) {
  using BatchHolder = std::shared_ptr<BorrowedBatch>;
  py::class_<BorrowedBatch, BatchHolder>(module, "Batch")
      .def_property_readonly("index", [](const BorrowedBatch& b) { return b.batch().index; })
      .def_property_readonly("epoch", [](const BorrowedBatch& b) { return b.batch().epoch; })
      .def_property_readonly("size", [](const BorrowedBatch& b) { return b.batch().size; })
      .def_property_readonly("image_size", [](const BorrowedBatch& b) { return b.batch().image_size; })
      .def_property_readonly("layout", [](const BorrowedBatch& b) { return b.batch().layout; })
      .def_property_readonly("pinned", [](const BorrowedBatch& b) { return b.batch().pinned != 0; })
      .def_property_readonly("mixup", [](const BorrowedBatch& b) { return b.extras().mixup != 0; })
      .def_property_readonly("sample_bytes", [](const BorrowedBatch& b) { return b.batch().sample_bytes; })
      .def_property_readonly("device_index",
                             [](const BorrowedBatch& b) { return b.has_device() ? b.device().device_index : -1; })
      .def_property_readonly("released", &BorrowedBatch::released)
      .def("release", &BorrowedBatch::release)
      .def("pointers",
           [](const BorrowedBatch& b) {
             b.require_borrowed("pointers()");
             return batch_pointers(b);
           })
      .def("host_dlpack",
           [](const BatchHolder& b, const std::string& name) {
             b->require_borrowed(name.c_str());
             return dlpack_capsule(b, host_field(*b, name), DlDevice{kDlCpu, 0});
           })
      .def("host_array",
           [](const BatchHolder& b, const std::string& name) {
             b->require_borrowed(name.c_str());
             return host_array(b, host_field(*b, name));
           })
      .def("records_array",
           [](const BatchHolder& b, const py::object& dtype) {
             b->require_borrowed("records");
             return records_array(b, dtype);
           })
      .def("device_export", [](const BatchHolder& b, const std::string& name) {
        b->require_borrowed(name.c_str());
        return DeviceExport(b, name);
      });
  py::class_<DeviceExport>(module, "DeviceExport")
      .def("__dlpack__", &DeviceExport::dlpack, py::arg("stream") = py::none())
      .def("__dlpack_device__", &DeviceExport::dlpack_device);
}

void define_loader(py::module_& module) {
  py::class_<LoaderObject>(module, "Loader")
      .def_static("from_json", [](const std::string& text) { return LoaderObject(NativeLoader::from_json(text)); })
      .def_static("from_file", [](const std::string& path) { return LoaderObject(NativeLoader::from_file(path)); })
      .def("next_batch", &LoaderObject::next_batch, py::arg("device_output"))
      .def("set_ring", &LoaderObject::set_ring, py::arg("ring_size"), py::arg("in_order"))
      .def("source_count", &LoaderObject::source_count)
      .def("stats_json", &LoaderObject::stats_json)
      .def_property_readonly("live_batches", &LoaderObject::live_batches)
      .def_property_readonly("closed", &LoaderObject::closed)
      .def("close", &LoaderObject::close);
}

}  // namespace
}  // namespace genint_python

PYBIND11_MODULE(_native, module) {
  using namespace genint_python;
  module.doc() = "genint's C API (libgenint) for the genint package: use genint.Loader, not this module.";
  check_abi();
  py::register_exception_translator(translate_call_failure);
  module.def("version", [] { return std::string(genint_version_string()); });
  module.def("cuda_backend_built", [] { return genint_cuda_backend_built() != 0; });
  module.def("status_name",
             [](int status) { return std::string(genint_status_name(static_cast<genint_status>(status))); });
  module.def("record_fields", [] {
    py::list fields;
    for (const RecordField& field : record_fields())
      fields.append(py::make_tuple(field.name, field.numpy_format, field.offset));
    return fields;
  });
  module.attr("RECORD_SIZE") = sizeof(genint_intervention);
  module.attr("LAYOUT_UINT8_HWC") = static_cast<int>(GENINT_LAYOUT_UINT8_HWC);
  module.attr("LAYOUT_FLOAT32_CHW") = static_cast<int>(GENINT_LAYOUT_FLOAT32_CHW);
  define_batch(module);
  define_loader(module);
}
