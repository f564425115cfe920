// The natural-image source: a dataset index (any io/dataset layout), this rank's shard of a per-epoch
// shuffle, and one NaturalSampleMaker (decoder + transforms) per worker thread.
#pragma once

#include <memory>

#include "io/dataset/dataset_index.h"
#include "io/natural/natural_pipeline.h"
#include "loader/config/loader_config.h"
#include "loader/order/shard_order.h"
#include "loader/sources/sample_source.h"

namespace genint::loader {

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

// Validates a natural entry's own keys (root, layout, label_file, mode, flip, ...) and indexes the dataset.
// A missing root or an unusable tree is a ConfigError on "<path>.root".
std::unique_ptr<SampleSource> make_natural_source(const LoaderConfig& config, const SourceSettings& settings);

}  // namespace genint::loader
