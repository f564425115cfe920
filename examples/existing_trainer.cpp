// An "existing trainer" in C++ that swaps its data loader for genint: reads a loader config file (or builds
// one for a JPEG folder), runs a few "steps", and prints per-source counts and λ-weighted sample totals.
// Usage: genint_trainer_example DATA_DIR [STEPS]  or  genint_trainer_example --config FILE [STEPS]
#include <array>
#include <cstdio>
#include <genint.hpp>  // the C++ wrapper installed beside genint.h: RAII and exceptions over the C API
#include <string>

namespace {

// A deterministic loader of 40-image natural batches over one ImageNet-layout folder (schema: docs/c-api.md).
std::string folder_config(const std::string& root) {
  return R"({"seed": 7, "deterministic": true, "batch_size": 40,
      "image": {"size": 224, "layout": "uint8_hwc"}, "shard": {"rank": 0, "world_size": 1},
      "sources": [{"kind": "natural", "fraction": 1.0, "threads": 2, "root": ")" +
         root + R"("}]})";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const bool from_file = argc > 1 && std::string(argv[1]) == "--config";
    if (argc < (from_file ? 3 : 2)) {
      std::fprintf(stderr, "usage: %s DATA_DIR [STEPS] | --config FILE [STEPS]\n", argv[0]);
      return 2;
    }
    const int steps_argument = from_file ? 3 : 2;
    const int steps = argc > steps_argument ? std::stoi(argv[steps_argument]) : 5;
    genint::check_abi();
    const genint::Loader loader =
        from_file ? genint::Loader::from_file(argv[2]) : genint::Loader::from_json(folder_config(argv[1]));
    for (int step = 0; step < steps; ++step) {
      const genint::BorrowedBatch borrowed(loader);
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
    std::printf("statistics: %s\n", loader.stats_json().c_str());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
}
