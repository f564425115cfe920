// genint's C++ wrapper around the C API (genint.h), header-only C++17: a Loader that owns a genint_loader, a
// BorrowedBatch that always gives its batch back, and genint::LoaderError in place of status codes.
#ifndef GENINT_GENINT_HPP
#define GENINT_GENINT_HPP

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "genint.h"

/* Thread-safety: exactly the C API's (see genint.h), because every method is one or two C calls.
 * - Loader: next_batch() / BorrowedBatch construction, source_count(), source_stats() and stats_json() may run
 *   from several threads at once on one Loader. Destroying, moving or assigning a Loader must not overlap any
 *   other call on it, and every BorrowedBatch taken from it must be gone before it is destroyed.
 * - BorrowedBatch: one object belongs to one thread at a time (moving it hands it over); the batch it shows
 *   may be read from any number of threads until it is released.
 * - LoaderError and check_abi() touch no shared state. */

namespace genint {

// A failed C API call: the status code, the library's message (genint_last_error_message() when the call
// failed, read at once because the next genint call on the thread replaces it) and which call it was.
class LoaderError : public std::runtime_error {
 public:
  LoaderError(genint_status status, const std::string& call, const std::string& library_message)
      : std::runtime_error(call + ": " + genint_status_name(status) + ": " + library_message),
        status_(status),
        library_message_(library_message) {}
  genint_status status() const noexcept { return status_; }
  const std::string& library_message() const noexcept { return library_message_; }

 private:
  genint_status status_;
  std::string library_message_;
};

// Throws LoaderError unless `status` is GENINT_OK; `call` names the C function for the message.
inline void check_status(genint_status status, const char* call) {
  if (status == GENINT_OK) return;
  const std::string library_message = genint_last_error_message();
  throw LoaderError(status, call, library_message);
}

// Guards against a genint.h from one release and a libgenint from another: their struct layouts would differ,
// or (minor version) a function the header declares would be missing from the library.
inline void check_abi() {
  if (genint_abi_version() != GENINT_ABI_VERSION)
    throw LoaderError(GENINT_ERROR_INVALID_ARGUMENT, "genint_abi_version",
                      "this program was compiled against ABI " + std::to_string(GENINT_ABI_VERSION) +
                          " but libgenint " + genint_version_string() + " implements ABI " +
                          std::to_string(genint_abi_version()));
#ifdef GENINT_ABI_MINOR_VERSION  // headers before the minor version had no genint_abi_minor_version()
  if (genint_abi_minor_version() < GENINT_ABI_MINOR_VERSION)
    throw LoaderError(GENINT_ERROR_INVALID_ARGUMENT, "genint_abi_minor_version",
                      "this program needs ABI minor version " + std::to_string(GENINT_ABI_MINOR_VERSION) +
                          " but libgenint " + genint_version_string() + " implements " +
                          std::to_string(genint_abi_minor_version()));
#endif
}

class Loader {
 public:
  // Config schema: docs/c-api.md. A bad field gives LoaderError with GENINT_ERROR_INVALID_CONFIG naming it.
  static Loader from_json(const std::string& config_json) {
    genint_loader* handle = nullptr;
    check_status(genint_loader_create_from_json(config_json.c_str(), &handle), "genint_loader_create_from_json");
    return Loader(handle);
  }
  static Loader from_file(const std::string& config_path) {
    genint_loader* handle = nullptr;
    check_status(genint_loader_create_from_file(config_path.c_str(), &handle), "genint_loader_create_from_file");
    return Loader(handle);
  }

  // Takes ownership of a loader made through the C API (nullptr gives an empty Loader).
  explicit Loader(genint_loader* owned) noexcept : handle_(owned) {}
  // A destructor cannot report failure, and destroy has nothing to report but a bug: its status is ignored.
  ~Loader() { genint_loader_destroy(handle_); }
  Loader(Loader&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Loader& operator=(Loader&& other) noexcept {
    if (this != &other) {
      genint_loader_destroy(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  genint_loader* get() const noexcept { return handle_; }

  std::int32_t source_count() const {
    std::int32_t count = 0;
    check_status(genint_loader_source_count(handle_, &count), "genint_loader_source_count");
    return count;
  }
  genint_source_stats source_stats(std::int32_t source_index) const {
    genint_source_stats stats{};
    check_status(genint_loader_source_stats(handle_, source_index, &stats), "genint_loader_source_stats");
    return stats;
  }
  // All statistics as JSON text. The text grows while we ask (rates gain digits), so a too-small buffer is
  // answered with the new length and we ask again.
  std::string stats_json() const {
    std::size_t length = 0;
    check_status(genint_loader_stats_json(handle_, nullptr, 0, &length), "genint_loader_stats_json");
    std::vector<char> text;
    for (int attempt = 0; attempt < 8; ++attempt) {
      text.resize(length + 64);
      const genint_status status = genint_loader_stats_json(handle_, text.data(), text.size(), &length);
      if (status == GENINT_OK) return std::string(text.data(), length);
      if (status != GENINT_ERROR_INVALID_ARGUMENT || length < text.size())
        check_status(status, "genint_loader_stats_json");
    }
    throw LoaderError(GENINT_ERROR_INTERNAL, "genint_loader_stats_json", "the statistics kept growing");
  }

 private:
  genint_loader* handle_ = nullptr;
};

// One batch borrowed from a Loader: next_batch on construction (blocking until it is ready), release on
// destruction, so every exit from a training step gives the buffers back.
class BorrowedBatch {
 public:
  explicit BorrowedBatch(const Loader& loader) : BorrowedBatch(loader.get()) {}
  explicit BorrowedBatch(genint_loader* loader) : loader_(loader) {
    check_status(genint_loader_next_batch(loader, &batch_), "genint_loader_next_batch");
  }
  // Destructors cannot throw: a failed release here is silent; call release() to see it.
  ~BorrowedBatch() {
    if (loader_ != nullptr) genint_loader_release_batch(loader_, &batch_);
  }
  BorrowedBatch(BorrowedBatch&& other) noexcept
      : loader_(std::exchange(other.loader_, nullptr)),
        batch_(other.batch_),
        extras_(std::exchange(other.extras_, nullptr)) {}
  BorrowedBatch& operator=(BorrowedBatch&&) = delete;  // would release one batch implicitly: say release()
  BorrowedBatch(const BorrowedBatch&) = delete;
  BorrowedBatch& operator=(const BorrowedBatch&) = delete;

  // Gives the batch back now; its pointers are invalid afterwards. A second call does nothing.
  void release() {
    if (loader_ == nullptr) return;
    genint_loader* const loader = std::exchange(loader_, nullptr);
    check_status(genint_loader_release_batch(loader, &batch_), "genint_loader_release_batch");
  }
  // Device output: gives the batch back once the work queued so far on `stream` (a cudaStream_t of the output
  // device) is done, without waiting for it (genint_loader_release_batch_on_stream). A second call does nothing.
  void release_on_stream(void* stream) {
    if (loader_ == nullptr) return;
    genint_loader* const loader = std::exchange(loader_, nullptr);
    check_status(genint_loader_release_batch_on_stream(loader, &batch_, stream),
                 "genint_loader_release_batch_on_stream");
  }
  bool holds_batch() const noexcept { return loader_ != nullptr; }

  const genint_batch& get() const noexcept { return batch_; }
  // The batch's per-sample extras (ABI minor 3: Mixup partners, their labels and λ, AutoAugment choices, transfer
  // α), fetched on first use; valid until the batch is released. LoaderError once it was released.
  const genint_batch_extras& extras() const {
    if (loader_ == nullptr)
      throw LoaderError(GENINT_ERROR_INVALID_ARGUMENT, "genint_loader_batch_extras", "the batch was released");
    if (extras_ == nullptr)
      check_status(genint_loader_batch_extras(loader_, &batch_, &extras_), "genint_loader_batch_extras");
    return *extras_;
  }
  const genint_batch& operator*() const noexcept { return batch_; }
  const genint_batch* operator->() const noexcept { return &batch_; }

 private:
  genint_loader* loader_;
  genint_batch batch_{};
  mutable const genint_batch_extras* extras_ = nullptr;  // fetched by extras(); the library's, not ours
};

// Mixup's loss as two ordinary weighted cross-entropies, for trainers that have one (genint-train's
// nn/ops/cross_entropy.h): w·(λ·CE(y) + (1 − λ)·CE(y′)) = (w·λ)·CE(y) + (w·(1 − λ))·CE(y′). From each sample's
// weight w (e.g. Eq. 1's λ_source / n_source) it writes own_weights = w·λ, for the batch's labels, and
// partner_weights = w·(1 − λ), for extras.mixup_partner_labels; without Mixup partner_weights are all 0.
// Each array holds batch.size floats.
inline void mixup_loss_weights(const genint_batch& batch, const genint_batch_extras& extras,
                               const float* sample_weights, float* own_weights, float* partner_weights) {
  for (std::int32_t sample = 0; sample < batch.size; ++sample) {
    const float lambda = extras.mixup_lambdas[sample];
    own_weights[sample] = sample_weights[sample] * lambda;
    partner_weights[sample] = sample_weights[sample] * (1.0f - lambda);
  }
}

}  // namespace genint

#endif  // GENINT_GENINT_HPP
