// The natural-image source: a dataset index (any io/dataset layout), this rank's shard of a per-epoch
// shuffle, and one NaturalSampleMaker (decoder + transforms) per worker thread.
#pragma once

#include <memory>
#include <string>

#include "io/dataset/dataset_index.h"
#include "io/natural/natural_pipeline.h"
#include "loader/config/loader_config.h"
#include "loader/order/shard_order.h"
#include "loader/sources/sample_source.h"

namespace genint {
class ConfigObject;
}

namespace genint::loader {

class SourceStatistics;

class NaturalSource : public SampleSource {
 public:
  NaturalSource(io::DatasetIndex index, io::NaturalPipelineConfig pipeline, std::uint64_t seed, int rank,
                int world_size);

  SourceKind kind() const override { return SourceKind::Natural; }
  std::uint64_t epoch_length() const override { return order_.shard_size(); }
  std::uint64_t smallest_shard_length() const override { return order_.smallest_shard_size(); }
  std::uint64_t largest_shard_length() const override { return order_.largest_shard_size(); }
  std::unique_ptr<SampleProducer> make_producer(int worker_index, ProducerContext context) override;

  const io::DatasetIndex& index() const { return index_; }
  const ShardedOrder& order() const { return order_; }
  const io::NaturalPipelineConfig& pipeline() const { return pipeline_; }

 private:
  io::DatasetIndex index_;
  io::NaturalPipelineConfig pipeline_;
  ShardedOrder order_;
};

// What a natural entry's keys describe before its dataset is indexed. The transferred source reads the same keys
// for its content images, so both parse them here.
struct NaturalEntry {
  std::string root;
  io::DatasetIndexOptions index_options;
  io::NaturalPipelineConfig pipeline;
};

// Reads root, layout, label_file, index_threads and the pipeline's keys (mode, flip, crops, augmentations,
// auto_augment ...); unknown keys are left for the caller to refuse, since it may have keys of its own.
NaturalEntry read_natural_keys(ConfigObject& object, const LoaderConfig& config);
// Indexes `root` (read from object's key `root_key`); a missing root, unreadable label file, unusable tree or fewer
// than `min_images` images ("fewer than the <min_images> <needed_for>") is a ConfigError on that key (or on
// label_file).
io::DatasetIndex index_natural_root(const ConfigObject& object, const std::string& root_key, const std::string& root,
                                    const io::DatasetIndexOptions& options, std::size_t min_images,
                                    const std::string& needed_for);

// One worker thread's reader of a natural source's samples (the natural producer's work, shared with the
// transferred source's contents): its own NaturalSampleMaker, a reused path buffer.
class NaturalSampleReader {
 public:
  // `layout` may differ from the source's own (the transferred source reads its contents as uint8 HWC).
  NaturalSampleReader(const NaturalSource& source, io::OutputLayout layout, SourceStatistics& statistics);
  // The item at the request's (epoch, position) made with the request's seed into `pixels` (this reader's layout),
  // its label, dataset index and AutoAugment choice into `record`. False when the file cannot be used: the skip is
  // recorded with its reason, and pixels and record are left as they were.
  // With request.stage_uint8_hwc, `pixels` gets the uint8 HWC image a float32 sample is normalised from, and
  // normalise_staged makes the sample later (Mixup blends float32 pairs in between).
  bool read(const SampleRequest& request, std::uint8_t* pixels, SampleRecord& record);
  bool float_samples() const { return maker_.config().layout == io::OutputLayout::FloatCHW; }
  void normalise_staged(const std::uint8_t* hwc, std::uint8_t* pixels) const {
    maker_.normalise_staged(hwc, reinterpret_cast<float*>(pixels));
  }

 private:
  const NaturalSource& source_;
  SourceStatistics& statistics_;
  io::NaturalSampleMaker maker_;
  std::string path_;  // reused: no allocation per sample once it has grown to the longest path
};

// Validates a natural entry's own keys (root, layout, label_file, mode, flip, ...) and indexes the dataset.
// A missing root or an unusable tree is a ConfigError on "<path>.root".
std::unique_ptr<SampleSource> make_natural_source(const LoaderConfig& config, const SourceSettings& settings);

}  // namespace genint::loader
