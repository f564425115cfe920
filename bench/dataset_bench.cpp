// genint-bench index: times indexing a synthetic ImageNet-train-sized tree of empty files (built once in a
// temp folder and reused: a marker file says it is complete). Also times a plain std::filesystem walk.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "io/dataset/dataset_index.h"
#include "nn/core/error.h"

namespace genint::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string class_folder_name(long class_index) {
  char name[24];
  std::snprintf(name, sizeof name, "n%08ld", class_index);
  return name;
}

// File i goes to class i % classes, named like ImageNet's "n01440764_10026.JPEG".
void build_synthetic_tree(const std::filesystem::path& root, long files, long classes) {
  const auto marker = root / ".complete";
  if (std::filesystem::exists(marker)) {
    std::fprintf(stderr, "index: reusing %s\n", root.c_str());
    return;
  }
  std::filesystem::remove_all(root);
  for (long class_index = 0; class_index < classes; ++class_index)
    std::filesystem::create_directories(root / class_folder_name(class_index));
  const auto start = Clock::now();
  auto last_report = start;
  for (long file = 0; file < files; ++file) {
    const std::string folder = class_folder_name(file % classes);
    const std::string path = (root / folder).string() + "/" + folder + "_" + std::to_string(file / classes) + ".JPEG";
    const int descriptor = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    GENINT_CHECK(descriptor >= 0, "cannot create " + path);
    ::close(descriptor);
    if (seconds_since(last_report) > 2.0) {
      std::fprintf(stderr, "index: created %ld / %ld files (%.0f s)\n", file + 1, files, seconds_since(start));
      last_report = Clock::now();
    }
  }
  std::ofstream(marker) << files << " files in " << classes << " classes\n";
  std::fprintf(stderr, "index: tree of %ld files built in %.1f s\n", files, seconds_since(start));
}

struct IndexBenchOptions {
  long files = 1281167, classes = 1000;
  int threads = 0, repeats = 3;
  std::string dir;  // empty: a folder in the temporary directory named after the tree's size
};

void declare_index(CommandSpec command, IndexBenchOptions& options) {
  command.integer("--files", options.files, "empty files in the synthetic tree", 1, 1'000'000'000);
  command.integer("--classes", options.classes, "class folders", 1, 1'000'000);
  command.integer("--threads", options.threads, "indexing threads (0: all cores)", 0, 256);
  command.integer("--repeats", options.repeats, "index builds; the fastest is reported", 1, 1000);
  command.text("--dir", options.dir, "where the tree is built and kept (default: TMPDIR/genint-bench-index-N-C)");
}

int run_index(const IndexBenchOptions& options) {
  const long files = options.files, classes = options.classes;
  const int threads = options.threads, repeats = options.repeats;
  const std::filesystem::path root =
      !options.dir.empty() ? std::filesystem::path(options.dir)
                           : std::filesystem::temp_directory_path() /
                                 ("genint-bench-index-" + std::to_string(files) + "-" + std::to_string(classes));
  build_synthetic_tree(root, files, classes);

  io::DatasetIndexOptions index_options;
  index_options.threads = threads;
  double best = 1e30, first = 0.0;
  std::size_t index_bytes = 0;
  for (int repeat = 0; repeat < repeats; ++repeat) {
    const auto start = Clock::now();
    const io::DatasetIndex index = io::build_dataset_index(root.string(), index_options);
    const double seconds = seconds_since(start);
    GENINT_CHECK(
        index.size() == static_cast<std::size_t>(files),
        "indexed " + std::to_string(index.size()) + " of " + std::to_string(files) + " files in " + root.string());
    if (repeat == 0) first = seconds;
    best = std::min(best, seconds);
    index_bytes = index.memory_bytes();
  }
  print_json_line({{"bench", "index"},
                   {"files", files},
                   {"classes", classes},
                   {"threads", threads},
                   {"seconds", best},
                   {"first_seconds", first},
                   {"files_per_s", static_cast<double>(files) / best},
                   {"index_bytes", index_bytes}});

  // The plain alternative: one thread, std::filesystem, no sorting, no string arena.
  const auto start = Clock::now();
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    entries += entry.is_regular_file() ? 1 : 0;
  print_json_line({{"bench", "index_std_filesystem_walk"}, {"files", entries}, {"seconds", seconds_since(start)}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "index",
                                    make_subcommand("index a synthetic tree of --files N empty files in --classes C "
                                                    "folders",
                                                    declare_index, run_index));

}  // namespace
}  // namespace genint::bench
