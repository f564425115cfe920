// The transferred source (SourceKind::Transferred, paper §4.3): natural images of the content dataset re-styled by
// AdaIN with a generated image's style (or a natural one's: the Stylized baseline), keeping the content's label.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "loader/config/loader_config.h"
#include "loader/sources/intervention/source_generator.h"
#include "loader/sources/natural/natural_source.h"
#include "loader/sources/sample_source.h"
#include "loader/sources/transferred/style_images.h"
#include "nn/ops/normalize_images.h"

namespace genint::loader {

// What a transferred entry says besides its content dataset (natural keys) and styles (StyleSpecification).
struct TransferredSourceSettings {
  std::string network_path;  // AdaIN weights (tools/convert_adain.py)
  // α uniform in [alpha_min, alpha_max] per sample (exactly alpha_min when they are equal); within [0, 1].
  float alpha_min = 1.0f;
  float alpha_max = 1.0f;
  // k consecutive contents of a batch share one style, whose statistics one producer computes once.
  int contents_per_style = 1;
  // Where each producer runs its generator (generated styles) and its AdaIN network: the CPU, or a CUDA device with
  // a stream per producer ("device", "device_index", "precision" as the intervention source reads them).
  GeneratorBackend backend;
  int rank = 0;  // the loader's shard: a style group's seed takes its global index (group · world + rank)
  int world_size = 1;
};

class TransferredSource : public SampleSource {
 public:
  // `content`: the content dataset as a natural source would read it (its order, shards and pipeline). Throws
  // genint::Error when the settings are out of range or the network or generator cannot serve the image size.
  TransferredSource(TransferredSourceSettings settings, std::unique_ptr<NaturalSource> content,
                    StyleSpecification style);

  SourceKind kind() const override { return SourceKind::Transferred; }
  std::uint64_t epoch_length() const override { return content_->epoch_length(); }
  std::uint64_t smallest_shard_length() const override { return content_->smallest_shard_length(); }
  std::uint64_t largest_shard_length() const override { return content_->largest_shard_length(); }
  // One style group per produce() call: in deterministic mode chunks start at multiples of it, so a group (whose
  // k samples lie in one batch, k dividing the source's count) is made by one producer with one style.
  std::size_t chunk_size() const override { return static_cast<std::size_t>(settings_.contents_per_style); }
  std::unique_ptr<SampleProducer> make_producer(int worker_index, ProducerContext context) override;

  const TransferredSourceSettings& settings() const { return settings_; }
  const NaturalSource& content() const { return *content_; }
  const StyleSpecification& style() const { return style_; }
  const io::DatasetIndex& natural_style_index() const { return style_.index ? *style_.index : content_->index(); }
  // Style statistics computed so far by all producers (one per style group a producer meets): what
  // contents_per_style saves is visible here.
  std::uint64_t styles_computed() const { return styles_computed_.load(std::memory_order_relaxed); }
  void count_style() const { styles_computed_.fetch_add(1, std::memory_order_relaxed); }

 private:
  TransferredSourceSettings settings_;
  std::unique_ptr<NaturalSource> content_;
  StyleSpecification style_;
  mutable std::atomic<std::uint64_t> styles_computed_{0};
};

// The style seed of the group holding `request`: mix(source seed, tag, group · world + rank), group = the request's
// stream index / contents_per_style. The same for the group's k requests, whatever their attempts.
std::uint64_t style_seed_of(const SampleRequest& request, const TransferredSourceSettings& settings);
// The request's α: from its own seed (a stream apart from the content's augmentation).
float alpha_of(const SampleRequest& request, const TransferredSourceSettings& settings);

// The loader's factory: validates settings.own_settings (ConfigError naming "sources[i].<key>"), indexes the content
// (and style) folders, loads the network and, for generated styles, the generator and directions.
std::unique_ptr<SampleSource> make_transferred_source(const LoaderConfig& config, const SourceSettings& settings);

}  // namespace genint::loader
