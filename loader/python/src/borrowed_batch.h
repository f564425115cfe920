// The binding's ownership model: a NativeLoader (one genint_loader) shared by the Python Loader and every batch
// borrowed from it, and a BorrowedBatch released when its last owner (Python object, array or tensor) is gone.
#ifndef GENINT_PYTHON_BORROWED_BATCH_H
#define GENINT_PYTHON_BORROWED_BATCH_H

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "genint.h"

namespace genint_python {

// A failed genint call: the C API's status and the library's message, read at once because the thread's next
// genint call replaces it. native_module.cpp turns it into genint.ConfigError, genint.IOError, ...
class CallFailure : public std::exception {
 public:
  // `batch_released`: the failure is a use of a released batch (genint.ReleasedBatchError).
  CallFailure(genint_status status, std::string call, std::string message, bool batch_released = false)
      : status_(status), call_(std::move(call)), message_(std::move(message)), batch_released_(batch_released) {}
  const char* what() const noexcept override { return message_.c_str(); }
  genint_status status() const noexcept { return status_; }
  const std::string& call() const noexcept { return call_; }
  const std::string& message() const noexcept { return message_; }
  bool batch_released() const noexcept { return batch_released_; }

 private:
  genint_status status_;
  std::string call_;
  std::string message_;
  bool batch_released_;
};

// Throws CallFailure unless `status` is GENINT_OK; `call` names the C function.
void check(genint_status status, const char* call);

// One genint_loader. Destroyed (producers stopped, memory freed) when the Python Loader has been closed or
// collected AND every batch borrowed from it is gone, so no exported array or tensor can outlive its memory.
class NativeLoader {
 public:
  static std::shared_ptr<NativeLoader> from_json(const std::string& config_json);
  static std::shared_ptr<NativeLoader> from_file(const std::string& config_path);
  explicit NativeLoader(genint_loader* owned) noexcept : handle_(owned) {}
  ~NativeLoader();
  NativeLoader(const NativeLoader&) = delete;
  NativeLoader& operator=(const NativeLoader&) = delete;

  genint_loader* get() const noexcept { return handle_; }
  // A deterministic loader (`in_order`) fills batch k into the ring buffer of batch k - ring_size: genint.Loader
  // tells this from its config, so that take() can refuse, naming the Python objects, where the C call would refuse
  // too (this thread holds the batch) or wait for a release that only Python's garbage collector could make.
  void set_ring(int ring_size, bool in_order) noexcept;
  // Batches borrowed and not yet given back (named in errors).
  int live_batches() const;
  // Raises INVALID_ARGUMENT when the next batch's buffer is held by a batch still alive in Python: the C API
  // reports only a ring borrowed in full, and genint_loader_next_batch would block until that batch is released.
  void check_next_buffer_free() const;
  void borrowed(std::uint64_t batch_index);
  void given_back(std::uint64_t batch_index);

 private:
  genint_loader* handle_;
  int ring_size_ = 0;
  bool in_order_ = false;
  mutable std::mutex mutex_;  // guards the two below: batches die on any thread (DLPack deleters)
  std::set<std::uint64_t> live_indices_;
  std::uint64_t next_index_ = 0;
};

// One batch borrowed through genint_loader_next_batch. Owners: the Python Batch, every NumPy array and every
// DLPack tensor exported from it. It is given back when release() is called or when the last owner is gone
// (then without raising: a destructor cannot report, and the C API only fails for a bug or a misuse).
class BorrowedBatch {
 public:
  // Blocks (without the GIL) until the next batch is ready. With `device_output`, also fetches the batch's
  // device copy (genint_loader_device_batch).
  static std::shared_ptr<BorrowedBatch> take(std::shared_ptr<NativeLoader> loader, bool device_output);
  BorrowedBatch(std::shared_ptr<NativeLoader> loader, const genint_batch& batch, bool device_output,
                const genint_device_batch& device, const genint_batch_extras& extras);
  ~BorrowedBatch();
  BorrowedBatch(const BorrowedBatch&) = delete;
  BorrowedBatch& operator=(const BorrowedBatch&) = delete;

  // Gives the batch back now. Raises genint.ReleasedBatchError (INVALID_ARGUMENT) the second time.
  void release();
  bool released() const noexcept { return released_.load(); }
  // Raises genint.ReleasedBatchError naming `what` when the batch was released.
  void require_borrowed(const char* what) const;

  const genint_batch& batch() const noexcept { return batch_; }
  bool has_device() const noexcept { return device_output_; }
  const genint_device_batch& device() const noexcept { return device_; }
  // The batch's per-sample extras (ABI minor 3): the library's struct, valid while the batch is borrowed.
  const genint_batch_extras& extras() const noexcept { return extras_; }
  genint_loader* loader() const noexcept { return loader_->get(); }
  // Makes `stream` (a cudaStream_t) wait for the batch's host→device copy and remembers it: the release is
  // then recorded on that stream, so the loader reuses the device buffer only after the work queued there.
  void wait_on_stream(void* stream);

 private:
  genint_status give_back() noexcept;

  std::shared_ptr<NativeLoader> loader_;
  genint_batch batch_;
  bool device_output_;
  genint_device_batch device_;
  genint_batch_extras extras_;         // a copy of the library's pointers (the fields this header knows)
  std::atomic<bool> released_{false};  // read by Python threads while release() runs without the GIL
  bool stream_recorded_ = false;
  void* release_stream_ = nullptr;
};

}  // namespace genint_python

#endif  // GENINT_PYTHON_BORROWED_BATCH_H
