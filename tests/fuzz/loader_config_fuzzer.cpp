// libFuzzer target for the C API's front door: arbitrary bytes → genint_loader_create_from_json → a few batches
// (every byte read) → stats → destroy. Any input must be refused with a status and a message, or run and stop.
#include <turbojpeg.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "genint.h"

namespace {

// Seeds name the fuzzer's own data by these tokens, so they work in any checkout and build folder.
constexpr const char* kDataToken = "@DATA@";
constexpr const char* kDemoToken = "@DEMO@";
constexpr int kBatchesPerInput = 3;

// Bounds on what one input may ask for: libFuzzer treats a malloc over its RSS limit (2 GB in tools/run-fuzzers)
// and a run over its timeout (10 s) as findings, so a legitimately huge batch ring or a thousand producer threads
// would read as bugs. The loader's own range checks (1..1<<20 samples, 1..256 threads) are in its config tests.
constexpr std::int64_t kMaxCount = 64, kMaxImageSize = 96, kMaxThreads = 4, kMaxRing = 8, kMaxChunk = 8;

std::string g_data_root, g_demo_root;
bool g_verbose = false;  // GENINT_CONFIG_FUZZ_VERBOSE=1: each input's outcome on stderr, to read a seed or a finding
volatile unsigned g_sink = 0;  // keeps the reads of every batch byte from being optimised away

void write_jpeg(tjhandle handle, const std::string& path, int width, int height, int shade) {
  std::vector<unsigned char> rgb(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t index = 0; index < rgb.size(); ++index) rgb[index] = static_cast<unsigned char>(shade + index % 97);
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(handle, rgb.data(), width, 0, height, TJPF_RGB, &jpeg, &size, TJSAMP_420, 90, 0) != 0) std::abort();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(jpeg, 1, size, file) != size || std::fclose(file) != 0) std::abort();
  tjFree(jpeg);
}

// ImageNet layout, two classes of four images of different shapes, plus a truncated JPEG and a text file so the
// skip paths run too.
void make_dataset(const std::filesystem::path& root) {
  tjhandle handle = tjInitCompress();
  for (int label = 0; label < 2; ++label) {
    const std::filesystem::path folder = root / ("n0000000" + std::to_string(label));
    std::filesystem::create_directories(folder);
    for (int image = 0; image < 4; ++image)
      write_jpeg(handle, (folder / ("img" + std::to_string(image) + ".JPEG")).string(), 24 + 8 * image, 40 - 4 * image,
                 40 * label + image);
  }
  tjDestroy(handle);
  const std::filesystem::path broken = root / "n00000001" / "truncated.JPEG";
  std::filesystem::copy_file(root / "n00000001" / "img0.JPEG", broken);
  std::filesystem::resize_file(broken, 60);
  std::FILE* text = std::fopen((root / "n00000000" / "notes.JPEG").c_str(), "wb");
  if (text == nullptr || std::fputs("not a jpeg\n", text) < 0 || std::fclose(text) != 0) std::abort();
}

bool within_bounds(const nlohmann::json& node) {
  if (node.is_array()) {
    for (const auto& child : node)
      if (!within_bounds(child)) return false;
    return true;
  }
  if (!node.is_object()) return true;
  for (const auto& [key, value] : node.items()) {
    if (value.is_number()) {
      const double number = value.get<double>();
      if ((key == "count" || key == "batch_size") && number > kMaxCount) return false;
      if ((key == "size" || key == "eval_resize") && number > kMaxImageSize) return false;
      if ((key == "threads" || key == "index_threads") && number > kMaxThreads) return false;
      if ((key == "batches_in_flight" || key == "pool_batches") && number > kMaxRing) return false;
      if (key == "chunk" && number > kMaxChunk) return false;
    }
    if (!within_bounds(value)) return false;
  }
  return true;
}

void replace_all(std::string& text, const std::string& token, const std::string& value) {
  for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
    text.replace(at, token.size(), value);
}

unsigned read_everything(const genint_batch& batch) {
  unsigned sum = 0;
  const auto* bytes = static_cast<const unsigned char*>(batch.images);
  for (std::size_t index = 0; index < batch.sample_bytes * static_cast<std::size_t>(batch.size); ++index)
    sum += bytes[index];
  for (int sample = 0; sample < batch.size; ++sample)
    sum += static_cast<unsigned>(batch.labels[sample] + batch.sources[sample] + batch.items[sample]) +
           (batch.weights[sample] > 0.0f ? 1u : 0u) + static_cast<unsigned>(batch.interventions[sample].direction);
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("genint-config-fuzz-" + std::to_string(static_cast<long>(::getpid())));
  std::filesystem::remove_all(root);
  make_dataset(root);
  g_data_root = root.string();
  g_demo_root = GENINT_DEMO_DIR;
  g_verbose = std::getenv("GENINT_CONFIG_FUZZ_VERBOSE") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && !within_bounds(parsed)) return -1;  // -1: not added to the corpus
  replace_all(text, kDataToken, g_data_root);
  replace_all(text, kDemoToken, g_demo_root);
  genint_loader* loader = nullptr;
  if (genint_loader_create_from_json(text.c_str(), &loader) != GENINT_OK) {
    if (loader != nullptr || genint_last_error_message()[0] == '\0') __builtin_trap();  // refused: say why
    if (g_verbose) std::fprintf(stderr, "refused: %s\n", genint_last_error_message());
    return 0;
  }
  unsigned sum = 0;
  for (int batch_index = 0; batch_index < kBatchesPerInput; ++batch_index) {
    genint_batch batch{};
    if (genint_loader_next_batch(loader, &batch) != GENINT_OK) {
      if (genint_last_error_message()[0] == '\0') __builtin_trap();
      if (g_verbose) std::fprintf(stderr, "stopped: %s\n", genint_last_error_message());
      break;
    }
    sum += read_everything(batch);
    if (g_verbose)
      std::fprintf(stderr, "batch %d: %d samples of %zu bytes\n", batch_index, batch.size, batch.sample_bytes);
    if (genint_loader_release_batch(loader, &batch) != GENINT_OK) __builtin_trap();
  }
  std::size_t length = 0;
  if (genint_loader_stats_json(loader, nullptr, 0, &length) != GENINT_OK) __builtin_trap();
  if (genint_loader_destroy(loader) != GENINT_OK) __builtin_trap();
  g_sink = g_sink + sum;
  return 0;
}
