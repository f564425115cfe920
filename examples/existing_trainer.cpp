// An "existing trainer" in C++ that swaps its data loader for genint: reads a loader config file (or builds
// one for a JPEG folder), runs a few "steps", and prints per-source counts and λ-weighted sample totals.
// Usage: genint_trainer_example DATA_DIR [STEPS]  or  genint_trainer_example --config FILE [STEPS]
#include <genint.h>

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

// The trainer's own style: exceptions. genint's C status codes become exceptions at this one place.
void check(genint_status status, const char* what) {
  if (status != GENINT_OK)
    throw std::runtime_error(std::string(what) + ": " + genint_status_name(status) + ": " +
                             genint_last_error_message());
}

struct LoaderDeleter {
  void operator()(genint_loader* loader) const { genint_loader_destroy(loader); }
};
using LoaderHandle = std::unique_ptr<genint_loader, LoaderDeleter>;

// Borrows a batch for the scope of one training step and always gives it back.
class BorrowedBatch {
 public:
  explicit BorrowedBatch(genint_loader* loader) : loader_(loader) {
    check(genint_loader_next_batch(loader, &batch_), "next_batch");
  }
  ~BorrowedBatch() { genint_loader_release_batch(loader_, &batch_); }
  BorrowedBatch(const BorrowedBatch&) = delete;
  BorrowedBatch& operator=(const BorrowedBatch&) = delete;
  const genint_batch& operator*() const { return batch_; }

 private:
  genint_loader* loader_;
  genint_batch batch_{};
};

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::fprintf(stderr, "usage: %s DATA_DIR [STEPS] | --config FILE [STEPS]\n", argv[0]);
      return 2;
    }
    const bool from_file = std::string(argv[1]) == "--config";
    const int steps_argument = from_file ? 3 : 2;
    const int steps = argc > steps_argument ? std::stoi(argv[steps_argument]) : 5;
    genint_loader* raw = nullptr;
    if (from_file) {
      check(argc > 2 ? genint_loader_create_from_file(argv[2], &raw) : GENINT_ERROR_INVALID_ARGUMENT, "create");
    } else {
      const std::string config = std::string(R"({"seed": 7, "deterministic": true, "batch_size": 40,
          "image": {"size": 224, "layout": "uint8_hwc"}, "shard": {"rank": 0, "world_size": 1},
          "sources": [{"kind": "natural", "fraction": 1.0, "threads": 2, "root": ")") +
                                 argv[1] + R"("}]})";
      check(genint_loader_create_from_json(config.c_str(), &raw), "create");
    }
    const LoaderHandle loader(raw);
    for (int step = 0; step < steps; ++step) {
      const BorrowedBatch borrowed(loader.get());
      const genint_batch& batch = *borrowed;
      std::array<int, 3> per_source{};
      double weighted = 0.0;
      for (int32_t sample = 0; sample < batch.size; ++sample) {
        if (batch.sources[sample] >= 0 && batch.sources[sample] < 3)
          ++per_source[static_cast<std::size_t>(batch.sources[sample])];
        weighted += batch.weights[sample];  // a real trainer scales each sample's loss by this λ
      }
      std::printf("step %d: batch %llu epoch %llu: natural=%d intervention=%d transferred=%d (sum of weights %.2f)\n",
                  step, static_cast<unsigned long long>(batch.index), static_cast<unsigned long long>(batch.epoch),
                  per_source[0], per_source[1], per_source[2], weighted);
    }
    std::array<char, 8192> statistics{};
    std::size_t length = 0;
    check(genint_loader_stats_json(loader.get(), statistics.data(), statistics.size(), &length), "stats");
    std::printf("statistics: %s\n", statistics.data());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
}
