// genint-data scan: indexes a dataset, decodes every file once on all cores and prints one JSON summary:
// what was delivered, what only with warnings, what was skipped and why (with paths), and the index's findings.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "io/cli/data_command.h"
#include "io/dataset/dataset_index.h"
#include "io/dataset/directory_walk.h"
#include "io/jpeg/jpeg_decoder.h"

namespace genint::data {
namespace {

using io::DatasetIndex;
using io::DecodeOutcome;

struct ScanOptions {
  std::string path;
  std::string layout = "auto";
  io::DatasetIndexOptions index;
  int threads = 0;
  std::uint64_t max_pixels = io::JpegDecoderOptions{}.max_pixels;
};

void declare_scan(CommandSpec command, ScanOptions& options) {
  command.text("PATH", options.path, "a dataset folder, or a file list for --layout filelist").required();
  command.text("--layout", options.layout, "auto|imagefolder|v2|objectnet|filelist|flat")
      .check(io::parse_dataset_layout);
  command.text("--labels", options.index.label_file,
               "the label file of a flat folder of images (implies --layout flat)");
  command
      .integer("--threads", options.threads, "indexing and decoding threads (at most 256 are used)", 1,
               std::numeric_limits<std::int32_t>::max())
      .default_text("all cores");
  command.integer("--max-pixels", options.max_pixels, "images whose header claims more pixels are skipped unread", 1,
                  std::numeric_limits<std::int64_t>::max());
  command.footer(
      "Prints one JSON object: delivered counts every image that decoded, delivered_with_warnings those among\n"
      "them with a warning, skipped the rest by reason. Exit 1 when the tree is unusable (no classes, not a\n"
      "folder, nothing delivered), 2 on bad usage.");
}

// Prints "files done / total" to stderr every two seconds while a long scan runs.
class ProgressReporter {
 public:
  ProgressReporter(const std::atomic<std::size_t>& done, std::size_t total)
      : done_(done), total_(total), thread_([this] { report(); }) {}
  ~ProgressReporter() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void report() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(2), [this] { return finished_; }))
      std::fprintf(stderr, "genint-data scan: %zu / %zu files\n", done_.load(), total_);
  }

  const std::atomic<std::size_t>& done_;
  const std::size_t total_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  std::thread thread_;
};

struct FileNote {
  std::size_t file;
  DecodeOutcome outcome;
  std::string detail;
};

bool named_png(std::string_view path) {
  return io::ends_with_ignoring_case(path, ".png");
}

// Decodes every file once; returns a note for each file that was not a clean delivery, in index order.
std::vector<FileNote> decode_every_file(const DatasetIndex& index, const ScanOptions& options) {
  io::JpegDecoderOptions decoder_options;
  decoder_options.max_pixels = options.max_pixels;
  // The smallest DCT scale: every coefficient is still entropy-decoded (where corruption shows), the IDCT is cheap.
  io::DecodeRequest request;
  request.min_output_width = 1;
  request.min_output_height = 1;
  std::atomic<std::size_t> next{0}, done{0};
  std::vector<std::vector<FileNote>> notes(static_cast<std::size_t>(options.threads));
  std::vector<std::exception_ptr> failures(notes.size());
  const ProgressReporter progress(done, index.size());
  auto work = [&](std::size_t worker) {
    try {
      io::JpegDecoder decoder(decoder_options);
      std::string path;
      for (std::size_t file = next++; file < index.size(); file = next++, ++done) {
        index.full_path_into(file, path);
        const io::DecodeResult result = decoder.decode_file(path, request);
        const bool png_misnamed = result.outcome == DecodeOutcome::PngDecoded && !named_png(path);
        if (result.outcome == DecodeOutcome::Ok || (result.outcome == DecodeOutcome::PngDecoded && !png_misnamed))
          continue;
        notes[worker].push_back({file, result.outcome, png_misnamed ? "a PNG file named " + path : result.detail});
      }
    } catch (...) {  // the decoder never throws for bad files: this is a bug or no memory, reported by main
      failures[worker] = std::current_exception();
      next = index.size();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t worker = 1; worker < notes.size(); ++worker) workers.emplace_back(work, worker);
  work(0);
  for (auto& worker : workers) worker.join();
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  std::vector<FileNote> merged;
  for (auto& worker_notes : notes) std::move(worker_notes.begin(), worker_notes.end(), std::back_inserter(merged));
  std::sort(merged.begin(), merged.end(),
            [](const FileNote& left, const FileNote& right) { return left.file < right.file; });
  return merged;
}

nlohmann::ordered_json summarize(const DatasetIndex& index, const std::vector<FileNote>& notes, double seconds,
                                 int threads) {
  nlohmann::ordered_json with_warnings = nlohmann::ordered_json::array();
  nlohmann::ordered_json skipped_by_reason = nlohmann::ordered_json::object();
  std::size_t skipped = 0;
  for (const FileNote& note : notes) {
    nlohmann::ordered_json entry = {{"path", std::string(index.stored_path(note.file))}, {"detail", note.detail}};
    if (io::decode_outcome_has_pixels(note.outcome)) {
      entry["outcome"] = io::decode_outcome_name(note.outcome);
      with_warnings.push_back(std::move(entry));
    } else {
      skipped_by_reason[io::decode_outcome_name(note.outcome)].push_back(std::move(entry));
      ++skipped;
    }
  }
  nlohmann::ordered_json empty_classes = nlohmann::ordered_json::array();
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& finding : index.findings()) {
    if (finding.kind == io::IndexFindingKind::EmptyClassFolder) empty_classes.push_back(finding.path);
    findings.push_back(
        {{"kind", io::index_finding_kind_name(finding.kind)}, {"path", finding.path}, {"detail", finding.detail}});
  }
  nlohmann::ordered_json summary;
  summary["root"] = index.root();
  summary["layout"] = io::dataset_layout_name(index.layout());
  summary["classes"] = index.class_count();
  summary["files_indexed"] = index.size();
  summary["delivered"] = index.size() - skipped;
  summary["delivered_with_warnings"] = {{"count", with_warnings.size()}, {"files", std::move(with_warnings)}};
  summary["skipped"] = {{"count", skipped}, {"by_reason", std::move(skipped_by_reason)}};
  summary["empty_class_folders"] = std::move(empty_classes);
  summary["excluded_objectnet_folders"] = index.count_findings(io::IndexFindingKind::UnmappedObjectNetFolder);
  summary["index_findings"] = std::move(findings);
  summary["skipped_hidden_entries"] = index.skipped_hidden_entries();
  summary["skipped_other_files"] = index.skipped_other_files();
  summary["threads"] = threads;
  summary["seconds"] = seconds;
  return summary;
}

int run_scan(const ScanOptions& given) {
  ScanOptions options = given;
  options.index.layout = io::parse_dataset_layout(options.layout);
  options.threads = io::resolve_thread_count(std::min(options.threads, 256));
  options.index.threads = options.threads;
  const auto start = std::chrono::steady_clock::now();
  const DatasetIndex index = io::build_dataset_index(options.path, options.index);
  std::fprintf(stderr, "genint-data scan: %zu files in %zu classes, decoding on %d threads\n", index.size(),
               index.class_count(), options.threads);
  const std::vector<FileNote> notes = decode_every_file(index, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::ordered_json summary = summarize(index, notes, seconds, options.threads);
  std::printf("%s\n", summary.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  std::fflush(stdout);
  if (summary["delivered"].get<std::size_t>() == 0) {
    std::fprintf(stderr, "genint-data scan: %s is unusable: none of its %zu files decoded\n", options.path.c_str(),
                 index.size());
    return 1;
  }
  return 0;
}

const SubcommandRegistrar registrar(data_commands(), "scan",
                                    make_subcommand("index a dataset and decode every file once; JSON summary",
                                                    declare_scan, run_scan));

}  // namespace
}  // namespace genint::data
