// The fashion-scenes generator: picks items, draws nuisances from per-image seeds, renders and writes
// every split on all cores (OpenMP), then the corrupted copy of the IID test split, the CSVs and the manifest.
#include "io/scenes/fashion_scenes.h"

#include <omp.h>
#include <turbojpeg.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>

#include "io/scenes/scene_records.h"
#include "io/scenes/scene_renderer.h"
#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

namespace fs = std::filesystem;

// Streams of derive_seed(): one per split, the item shuffles, and the corrupted images (6 + 16 * (8 * corruption +
// severity), all 6 mod 16, so ood_val's 7 is its own).
enum SeedStream : std::uint64_t {
  TrainStream = 1,
  ValStream,
  TestStream,
  OodStream,
  ItemStream,
  CorruptStream,
  OodValStream
};

struct SplitPlan {
  std::string name;
  int per_class;
  NuisanceLaw law;
  SeedStream stream;
  // source_items[label][k]: the Fashion-MNIST index of the split's k-th item of that class.
  std::vector<std::vector<std::size_t>> source_items;
  const LabelledImages* source;
};

void write_file(const std::string& path, const void* data, std::size_t size) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  GENINT_CHECK(file != nullptr, "fashion-scenes: cannot create " + path);
  GENINT_CHECK(std::fwrite(data, 1, size, file.get()) == size && std::fflush(file.get()) == 0,
               "fashion-scenes: writing " + path + " failed");
}

// Encodes RGB bytes with libjpeg-turbo into a buffer sized once for the image size, then writes the file.
class JpegFileWriter {
 public:
  explicit JpegFileWriter(int image_size)
      : handle_(tjInitCompress(), &tjDestroy), buffer_(tjBufSize(image_size, image_size, TJSAMP_420)) {
    GENINT_CHECK(handle_ != nullptr, "fashion-scenes: libjpeg-turbo init failed");
  }

  void write(const std::string& path, const cv::Mat& rgb, int quality) {
    unsigned char* data = buffer_.data();
    unsigned long size = buffer_.size();
    GENINT_CHECK(tjCompress2(handle_.get(), rgb.data, rgb.cols, static_cast<int>(rgb.step), rgb.rows, TJPF_RGB, &data,
                             &size, TJSAMP_420, quality, TJFLAG_NOREALLOC) == 0,
                 "fashion-scenes: JPEG encoding of " + path + " failed: " + tjGetErrorStr2(handle_.get()));
    write_file(path, data, size);
  }

 private:
  std::unique_ptr<void, int (*)(tjhandle)> handle_;  // also makes the writer move-only
  std::vector<unsigned char> buffer_;
};

// Runs body(index, thread_state) for index in [0, count) on `threads` OpenMP threads with dynamic chunks.
// The first exception stops the remaining work and is rethrown here.
template <typename ThreadState, typename MakeState, typename Body>
void parallel_for(std::size_t count, int threads, const std::string& label, bool progress, MakeState make_state,
                  Body body) {
  std::atomic<std::size_t> done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto record_failure = [&] {
    const std::lock_guard<std::mutex> lock(failure_mutex);
    if (!failure) failure = std::current_exception();
    failed = true;
  };
  const std::size_t report_every = std::max<std::size_t>(1, count / 10);
#pragma omp parallel num_threads(threads)
  {
    std::unique_ptr<ThreadState> state;
    try {
      state = make_state();
    } catch (...) {
      record_failure();
    }
#pragma omp for schedule(dynamic, 16)
    for (std::size_t index = 0; index < count; ++index) {
      if (failed.load(std::memory_order_relaxed)) continue;
      try {
        body(index, *state);
      } catch (...) {
        record_failure();
      }
      const std::size_t now = ++done;
      if (progress && (now % report_every == 0 || now == count))
        std::fprintf(stderr, "genint-data fashion-scenes: %s %zu / %zu\n", label.c_str(), now, count);
    }
  }
  if (failure) std::rethrow_exception(failure);
}

struct RenderState {
  explicit RenderState(int size) : renderer(size), writer(size) {}
  SceneRenderer renderer;
  JpegFileWriter writer;
  cv::Mat rgb;
};

struct CorruptState {
  explicit CorruptState(int size) : engine(size), writer(size) {}
  CorruptionEngine engine;
  JpegFileWriter writer;
  cv::Mat corrupted;
};

std::string image_name(const std::string& split, int within_class) {
  char name[32];
  std::snprintf(name, sizeof name, "%s_%05d.JPEG", split.c_str(), within_class);
  return name;
}

void check_options(const FashionScenesOptions& options) {
  GENINT_CHECK(!options.output_folder.empty(), "fashion-scenes: no output folder given");
  GENINT_CHECK(options.image_size >= 8 && options.image_size <= 1024,
               "fashion-scenes: image size " + std::to_string(options.image_size) + " is outside [8, 1024]");
  GENINT_CHECK(options.train_per_class >= 1 && options.val_per_class >= 0 && options.test_per_class >= 1 &&
                   options.ood_per_class >= 1 && options.ood_val_per_class >= 0,
               "fashion-scenes: train, test and ood need at least one image per class (val and ood_val may be 0)");
  GENINT_CHECK(options.jpeg_quality >= 1 && options.jpeg_quality <= 100,
               "fashion-scenes: JPEG quality " + std::to_string(options.jpeg_quality) + " is outside 1..100");
  for (const int severity : options.severities)
    GENINT_CHECK(severity >= 1 && severity <= corruption_severity_count,
                 "fashion-scenes: severity " + std::to_string(severity) + " is outside 1..5");
  GENINT_CHECK(options.nuisances.class_count == fashion_mnist_class_count,
               "fashion-scenes: Fashion-MNIST has 10 classes, the nuisance parameters say " +
                   std::to_string(options.nuisances.class_count));
}

// Refuses a non-empty folder unless forced; when forced, removes only what an earlier run writes.
void prepare_output(const FashionScenesOptions& options) {
  const fs::path root(options.output_folder);
  if (fs::exists(root)) {
    GENINT_CHECK(fs::is_directory(root), "fashion-scenes: output " + root.string() + " exists and is not a folder");
    if (!fs::is_empty(root)) {
      GENINT_CHECK(options.force, "fashion-scenes: output folder " + root.string() +
                                      " is not empty; pass --force to replace an earlier fashion-scenes run there");
      for (const std::string& name : fashion_scenes_output_names()) fs::remove_all(root / name);
    }
  }
  fs::create_directories(root);
}

// Shuffles each class's items of one Fashion-MNIST half and deals them out to the splits that use it.
void assign_items(const LabelledImages& half, std::uint64_t seed, std::uint64_t half_id,
                  const std::vector<SplitPlan*>& splits) {
  std::vector<std::vector<std::size_t>> by_class(fashion_mnist_class_count);
  for (std::size_t index = 0; index < half.labels.size(); ++index) by_class[half.labels[index]].push_back(index);
  for (int label = 0; label < fashion_mnist_class_count; ++label) {
    auto& items = by_class[static_cast<std::size_t>(label)];
    SampleRandom random(derive_seed(seed, ItemStream, half_id * 1000 + static_cast<std::uint64_t>(label)));
    for (std::size_t last = items.size(); last > 1; --last)  // Fisher–Yates
      std::swap(items[last - 1],
                items[static_cast<std::size_t>(random.integer_inclusive(0, static_cast<std::int64_t>(last - 1)))]);
    std::size_t next = 0;
    for (SplitPlan* split : splits) {
      const auto wanted = static_cast<std::size_t>(split->per_class);
      GENINT_CHECK(next + wanted <= items.size(),
                   "fashion-scenes: class " + fashion_mnist_class_folders()[static_cast<std::size_t>(label)] + " has " +
                       std::to_string(items.size()) + " items in " +
                       (half.images_path.empty() ? std::string("its source") : half.images_path) +
                       ", fewer than the splits drawn from it ask for");
      split->source_items[static_cast<std::size_t>(label)].assign(
          items.begin() + static_cast<std::ptrdiff_t>(next),
          items.begin() + static_cast<std::ptrdiff_t>(next + wanted));
      next += wanted;
    }
  }
}

// Renders and writes one split; keeps the rendered pixels when `keep_pixels` (the test split, for corruption).
std::vector<SceneRecord> write_split(const FashionScenesOptions& options, const NuisanceModel& model,
                                     const SplitPlan& split, int threads, std::vector<std::uint8_t>* keep_pixels) {
  const auto& folders = fashion_mnist_class_folders();
  const std::size_t count = static_cast<std::size_t>(split.per_class) * fashion_mnist_class_count;
  const std::size_t image_bytes = static_cast<std::size_t>(options.image_size) * options.image_size * 3;
  std::vector<SceneRecord> records(count);
  for (const std::string& folder : folders)
    fs::create_directories(fs::path(options.output_folder) / split.name / folder);
  if (keep_pixels != nullptr) keep_pixels->assign(count * image_bytes, 0);
  parallel_for<RenderState>(
      count, threads, split.name, options.progress, [&] { return std::make_unique<RenderState>(options.image_size); },
      [&](std::size_t index, RenderState& state) {
        const int label = static_cast<int>(index / static_cast<std::size_t>(split.per_class));
        const int within = static_cast<int>(index % static_cast<std::size_t>(split.per_class));
        SceneRecord& record = records[index];
        record.label = label;
        record.source_index = split.source_items[static_cast<std::size_t>(label)][static_cast<std::size_t>(within)];
        record.file =
            split.name + "/" + folders[static_cast<std::size_t>(label)] + "/" + image_name(split.name, within);
        SampleRandom random(derive_seed(options.seed, split.stream, index));
        record.nuisances = model.sample(split.law, label, random);
        const IdxImages& images = split.source->images;
        state.renderer.render(images.item(record.source_index), images.rows, images.columns, record.nuisances, random,
                              state.rgb);
        state.writer.write((fs::path(options.output_folder) / record.file).string(), state.rgb, options.jpeg_quality);
        if (keep_pixels != nullptr) std::memcpy(keep_pixels->data() + index * image_bytes, state.rgb.data, image_bytes);
      });
  return records;
}

std::vector<SceneRecord> write_corrupted(const FashionScenesOptions& options, const std::vector<SceneRecord>& test,
                                         const std::vector<std::uint8_t>& test_pixels, int threads) {
  const auto& folders = fashion_mnist_class_folders();
  const std::size_t per_setting = test.size();
  const std::size_t settings = options.corruptions.size() * options.severities.size();
  const fs::path root = fs::path(options.output_folder) / "corrupted";
  for (const Corruption corruption : options.corruptions)
    for (const int severity : options.severities)
      for (const std::string& folder : folders)
        fs::create_directories(root / corruption_name(corruption) / std::to_string(severity) / folder);
  std::vector<SceneRecord> records(per_setting * settings);
  const int size = options.image_size;
  parallel_for<CorruptState>(
      records.size(), threads, "corrupted", options.progress, [&] { return std::make_unique<CorruptState>(size); },
      [&](std::size_t index, CorruptState& state) {
        const std::size_t setting = index / per_setting, item = index % per_setting;
        const Corruption corruption = options.corruptions[setting / options.severities.size()];
        const int severity = options.severities[setting % options.severities.size()];
        SceneRecord& record = records[index];
        record = test[item];
        record.corruption = corruption_name(corruption);
        record.severity = severity;
        record.file = "corrupted/" + record.corruption + "/" + std::to_string(severity) + "/" +
                      folders[static_cast<std::size_t>(record.label)] + "/" +
                      fs::path(test[item].file).filename().string();
        // The corrupted image's seed depends on (corruption, severity, item) only, not on which others were asked for.
        const std::uint64_t stream = CorruptStream + 16 * (static_cast<std::uint64_t>(corruption) * 8 + severity);
        SampleRandom random(derive_seed(options.seed, stream, item));
        SampledCorruptionNoise noise(random);
        const cv::Mat clean(
            size, size, CV_8UC3,
            const_cast<std::uint8_t*>(test_pixels.data() + item * static_cast<std::size_t>(size) * size * 3));
        state.engine.apply(corruption, severity, clean, noise, state.corrupted);
        state.writer.write((fs::path(options.output_folder) / record.file).string(), state.corrupted,
                           options.jpeg_quality);
      });
  return records;
}

nlohmann::ordered_json manifest_header(const FashionScenesOptions& options, const FashionMnist& data,
                                       const NuisanceModel& model) {
  nlohmann::ordered_json manifest;
  manifest["dataset"] = "genint fashion-scenes";
  manifest["format_version"] = 1;
  manifest["seed"] = options.seed;
  manifest["image_size"] = options.image_size;
  manifest["jpeg_quality"] = options.jpeg_quality;
  manifest["source"] = {{"train_images", data.train.images_path},  {"train_labels", data.train.labels_path},
                        {"train_items", data.train.labels.size()}, {"t10k_images", data.test.images_path},
                        {"t10k_labels", data.test.labels_path},    {"t10k_items", data.test.labels.size()}};
  nlohmann::ordered_json classes = nlohmann::ordered_json::array();
  for (int label = 0; label < fashion_mnist_class_count; ++label)
    classes.push_back({{"label", label},
                       {"folder", fashion_mnist_class_folders()[static_cast<std::size_t>(label)]},
                       {"hue_mean", model.class_hue_mean(label)},
                       {"angle_mean", model.class_angle_mean(label)}});
  manifest["classes"] = std::move(classes);
  manifest["nuisance_laws"] = nuisance_laws_json(model);
  manifest["seeding"] =
      "each image draws from xoshiro256** seeded with splitmix64(seed, stream, index); "
      "streams: train 1, val 2, test 3, ood 4, item shuffles 5, corrupted 6 + 16 * (8 * corruption + severity), "
      "ood_val 7; train, val and ood_val items are dealt in that order from each class's shuffled train-file items, "
      "test and ood from t10k's";
  return manifest;
}

nlohmann::ordered_json corrupted_section(const FashionScenesOptions& options, std::size_t count) {
  nlohmann::ordered_json corruption_list = nlohmann::ordered_json::array();
  for (const Corruption corruption : options.corruptions) {
    nlohmann::ordered_json parameters;
    for (const int severity : options.severities)
      parameters[std::to_string(severity)] = corruption_parameters(corruption, severity);
    corruption_list.push_back({{"name", corruption_name(corruption)},
                               {"family", corruption_family(corruption)},
                               {"parameters", std::move(parameters)}});
  }
  return {{"folder", "corrupted"},
          {"layout", "corrupted/<corruption>/<severity>/<class>/*.JPEG"},
          {"source_split", "test"},
          {"severities", options.severities},
          {"corruptions", std::move(corruption_list)},
          {"count", count},
          {"nuisances", "corrupted.csv"},
          {"severity_tables", "Tiny-ImageNet-C (64x64); sizes marked px@64 scale with image_size / 64"}};
}

}  // namespace

const std::vector<std::string>& fashion_scenes_output_names() {
  static const std::vector<std::string> names = {"train",       "val",           "test",         "ood",      "ood_val",
                                                 "corrupted",   "train.csv",     "val.csv",      "test.csv", "ood.csv",
                                                 "ood_val.csv", "corrupted.csv", "manifest.json"};
  return names;
}

nlohmann::ordered_json generate_fashion_scenes(const FashionScenesOptions& options, const FashionMnist& data) {
  check_options(options);
  const NuisanceModel model(options.nuisances);
  const int threads = options.threads > 0 ? options.threads : std::max(1, omp_get_num_procs());
  SplitPlan train{"train", options.train_per_class, NuisanceLaw::Confounded, TrainStream, {}, &data.train};
  SplitPlan val{"val", options.val_per_class, NuisanceLaw::Confounded, ValStream, {}, &data.train};
  SplitPlan test{"test", options.test_per_class, NuisanceLaw::Confounded, TestStream, {}, &data.test};
  SplitPlan ood{"ood", options.ood_per_class, NuisanceLaw::ClassIndependent, OodStream, {}, &data.test};
  SplitPlan ood_val{"ood_val", options.ood_val_per_class, NuisanceLaw::ClassIndependent, OodValStream, {}, &data.train};
  std::vector<SplitPlan*> plans = {&train, &val, &test, &ood, &ood_val};
  for (SplitPlan* plan : plans) plan->source_items.resize(fashion_mnist_class_count);
  // ood_val is dealt after train and val, so asking for it leaves their items as they were.
  assign_items(data.train, options.seed, 0, {&train, &val, &ood_val});
  assign_items(data.test, options.seed, 1, {&test, &ood});
  prepare_output(options);

  nlohmann::ordered_json splits, measured;
  std::vector<std::uint8_t> test_pixels;
  std::vector<SceneRecord> test_records;
  for (SplitPlan* plan : plans) {
    if (plan->per_class == 0) continue;
    std::vector<SceneRecord> records =
        write_split(options, model, *plan, threads, plan == &test ? &test_pixels : nullptr);
    write_scene_csv((fs::path(options.output_folder) / (plan->name + ".csv")).string(), records,
                    fashion_mnist_class_folders(), false);
    splits[plan->name] = {{"folder", plan->name},
                          {"per_class", plan->per_class},
                          {"count", records.size()},
                          {"law", plan->law == NuisanceLaw::Confounded ? "confounded" : "class_independent"},
                          {"source", plan->source == &data.train ? "train" : "t10k"},
                          {"nuisances", plan->name + ".csv"}};
    if (plan == &ood_val)
      splits[plan->name]["use"] =
          "benchmark design only: the benchmark's settings and training budget may be chosen on it from ERM and "
          "the oracle alone; no method's hyperparameter ever sees it or the ood split";
    measured[plan->name] = confound_json(measure_records(records, fashion_mnist_class_count));
    if (plan == &test) test_records = std::move(records);
  }
  nlohmann::ordered_json manifest = manifest_header(options, data, model);
  manifest["splits"] = std::move(splits);
  std::size_t corrupted_count = 0;
  if (!options.corruptions.empty() && !options.severities.empty()) {
    const std::vector<SceneRecord> corrupted = write_corrupted(options, test_records, test_pixels, threads);
    write_scene_csv((fs::path(options.output_folder) / "corrupted.csv").string(), corrupted,
                    fashion_mnist_class_folders(), true);
    corrupted_count = corrupted.size();
  }
  manifest["corrupted"] = corrupted_section(options, corrupted_count);
  manifest["confound"] = {
      {"what",
       "accuracy of predicting the label from the nuisances alone: majority label per 30-degree bin of hue "
       "and angle (12 x 12 bins), two-fold cross-validated on the split's own images"},
      {"measured", std::move(measured)},
      {"population",
       {{"confounded", confound_json(population_confound(model, NuisanceLaw::Confounded))},
        {"class_independent", confound_json(population_confound(model, NuisanceLaw::ClassIndependent))}}}};
  const std::string text = manifest.dump(2) + "\n";
  write_file((fs::path(options.output_folder) / "manifest.json").string(), text.data(), text.size());
  return manifest;
}

}  // namespace genint::io::scenes
