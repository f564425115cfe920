// NativeLoader and BorrowedBatch: the genint calls behind genint.Loader and genint.Batch, with the GIL let go
// while a call may block, and the batch given back exactly once whichever owner goes last.
#include "borrowed_batch.h"

#include <pybind11/pybind11.h>

#include <string>
#include <utility>

namespace py = pybind11;

namespace genint_python {

void check(genint_status status, const char* call) {
  if (status == GENINT_OK) return;
  throw CallFailure(status, call, genint_last_error_message());
}

namespace {

// Runs `call` without the GIL when this thread holds it (a Python call), else as it is: a DLPack deleter may
// run the last owner's destructor on a thread that never held the GIL (PyTorch frees tensors where it likes).
template <typename Call>
auto without_gil(Call&& call) {
  if (Py_IsInitialized() && PyGILState_Check()) {
    const py::gil_scoped_release unlocked;
    return call();
  }
  return call();
}

}  // namespace

std::shared_ptr<NativeLoader> NativeLoader::from_json(const std::string& config_json) {
  genint_loader* handle = nullptr;
  // The status and the thread-local message are read on this thread: letting the GIL go does not move us.
  const genint_status status =
      without_gil([&] { return genint_loader_create_from_json(config_json.c_str(), &handle); });
  check(status, "genint_loader_create_from_json");
  return std::make_shared<NativeLoader>(handle);
}

std::shared_ptr<NativeLoader> NativeLoader::from_file(const std::string& config_path) {
  genint_loader* handle = nullptr;
  const genint_status status =
      without_gil([&] { return genint_loader_create_from_file(config_path.c_str(), &handle); });
  check(status, "genint_loader_create_from_file");
  return std::make_shared<NativeLoader>(handle);
}

// Stopping the producers waits for their current step (a generator forward can take a while): without the GIL.
NativeLoader::~NativeLoader() {
  without_gil([this] { return genint_loader_destroy(handle_); });
}

void NativeLoader::set_ring(int ring_size, bool in_order) noexcept {
  const std::lock_guard<std::mutex> lock(mutex_);
  ring_size_ = ring_size;
  in_order_ = in_order;
}

int NativeLoader::live_batches() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(live_indices_.size());
}

void NativeLoader::check_next_buffer_free() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!in_order_ || ring_size_ <= 0 || next_index_ < static_cast<std::uint64_t>(ring_size_)) return;
  const std::uint64_t holder = next_index_ - static_cast<std::uint64_t>(ring_size_);
  if (live_indices_.count(holder) == 0) return;
  throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, "genint_loader_next_batch",
                    "batch " + std::to_string(holder) + " is still alive in Python (a Batch, or an array or tensor " +
                        "taken from it), and this deterministic loader fills batch " + std::to_string(next_index_) +
                        " into its buffer (batches_in_flight is " + std::to_string(ring_size_) +
                        "): release it (`with batch:`, batch.release(), or drop what refers to it), or raise "
                        "batches_in_flight");
}

void NativeLoader::borrowed(std::uint64_t batch_index) {
  const std::lock_guard<std::mutex> lock(mutex_);
  live_indices_.insert(batch_index);
  if (batch_index >= next_index_) next_index_ = batch_index + 1;
}

void NativeLoader::given_back(std::uint64_t batch_index) {
  const std::lock_guard<std::mutex> lock(mutex_);
  live_indices_.erase(batch_index);
}

std::shared_ptr<BorrowedBatch> BorrowedBatch::take(std::shared_ptr<NativeLoader> loader, bool device_output) {
  loader->check_next_buffer_free();
  genint_batch batch{};
  const genint_status status = without_gil([&] { return genint_loader_next_batch(loader->get(), &batch); });
  if (status == GENINT_ERROR_INVALID_ARGUMENT && loader->live_batches() > 0) {
    // Every batch buffer is borrowed: in Python that means objects still hold them, which the C message
    // cannot know about.
    throw CallFailure(status, "genint_loader_next_batch",
                      std::string(genint_last_error_message()) + " (" + std::to_string(loader->live_batches()) +
                          " batches from this loader are still alive in Python, through Batch objects or arrays "
                          "and tensors taken from them: release them with `with batch:` or batch.release(), or "
                          "raise the config's batches_in_flight)");
  }
  check(status, "genint_loader_next_batch");
  // A failure past here gives the batch back first: nobody else could.
  const auto give_back_and_throw = [&](genint_status failed, const char* call) {
    const CallFailure failure(failed, call, genint_last_error_message());
    genint_loader_release_batch(loader->get(), &batch);
    throw failure;
  };
  const genint_batch_extras* extras = nullptr;
  const genint_status extras_status = genint_loader_batch_extras(loader->get(), &batch, &extras);
  if (extras_status != GENINT_OK) give_back_and_throw(extras_status, "genint_loader_batch_extras");
  genint_device_batch device{};
  device.device_index = -1;
  if (device_output) {
    const genint_status device_status = genint_loader_device_batch(loader->get(), &batch, &device);
    if (device_status != GENINT_OK) give_back_and_throw(device_status, "genint_loader_device_batch");
  }
  return std::make_shared<BorrowedBatch>(std::move(loader), batch, device_output, device, *extras);
}

BorrowedBatch::BorrowedBatch(std::shared_ptr<NativeLoader> loader, const genint_batch& batch, bool device_output,
                             const genint_device_batch& device, const genint_batch_extras& extras)
    : loader_(std::move(loader)), batch_(batch), device_output_(device_output), device_(device), extras_(extras) {
  loader_->borrowed(batch_.index);
}

BorrowedBatch::~BorrowedBatch() {
  if (!released_.exchange(true)) give_back();
}

// Called once: whoever turns released_ from false to true gives the batch back.
genint_status BorrowedBatch::give_back() noexcept {
  loader_->given_back(batch_.index);
  // A device batch read by work queued on a stream is given back on that stream (the loader's next copy into
  // the buffer waits for it on the device); a host-only batch needs no stream.
  return stream_recorded_ ? genint_loader_release_batch_on_stream(loader_->get(), &batch_, release_stream_)
                          : genint_loader_release_batch(loader_->get(), &batch_);
}

void BorrowedBatch::release() {
  if (released_.exchange(true)) require_borrowed("release()");  // raises: this batch was released before
  // Releasing a device batch waits for its copy to finish: without the GIL.
  const genint_status status = without_gil([this] { return give_back(); });
  check(status, stream_recorded_ ? "genint_loader_release_batch_on_stream" : "genint_loader_release_batch");
}

void BorrowedBatch::require_borrowed(const char* what) const {
  if (!released_) return;
  throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, std::string("genint.Batch.") + what,
                    "batch " + std::to_string(batch_.index) + " was already released: its buffers belong to the " +
                        "loader again (arrays and tensors taken from it before the release now see later batches)",
                    true);
}

void BorrowedBatch::wait_on_stream(void* stream) {
  require_borrowed("__dlpack__()");
  // The release is recorded on one stream: the loader's next copy into this slot would not wait for a second one.
  if (stream_recorded_ && stream != release_stream_)
    throw CallFailure(GENINT_ERROR_INVALID_ARGUMENT, "genint.Batch.__dlpack__()",
                      "batch " + std::to_string(batch_.index) + "'s CUDA tensors were already taken on another " +
                          "stream: take them all under one current stream (its release is recorded on that one)");
  check(genint_loader_wait_batch_on_stream(loader_->get(), &batch_, stream), "genint_loader_wait_batch_on_stream");
  release_stream_ = stream;
  stream_recorded_ = true;
}

}  // namespace genint_python
