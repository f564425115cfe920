// Where a transferred sample's style image comes from: a BigGAN-deep image generated on the fly with an
// intervention source's sampler and generator, or a natural image drawn from a folder (the Stylized baseline).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_set.h"
#include "gan/interventions/intervention_sampler.h"
#include "gan/interventions/intervention_settings.h"
#include "io/dataset/dataset_index.h"
#include "io/natural/natural_pipeline.h"
#include "loader/sources/intervention/source_generator.h"
#include "loader/sources/sample_source.h"
#include "nn/tensor/tensor.h"

namespace genint::loader {

enum class StyleKind { Generated, Natural };  // "style": "generated" | "natural"

// A transferred source's styles, read from its config once and shared read-only by its producers.
struct StyleSpecification {
  StyleKind kind = StyleKind::Generated;
  // Generated: the intervention exactly as an intervention source reads it (gan's keys), its files loaded once.
  InterventionSettings intervention;
  std::optional<BigGanWeights> weights;
  std::optional<DirectionSet> directions;
  // Natural: the "style_root" folder's index (absent: the content's own index is used) and the geometry of a style
  // image (eval mode: resize + centre crop to the loader's image size, uint8), so an index names one image.
  std::optional<io::DatasetIndex> index;
  io::NaturalPipelineConfig pipeline;
};

// A natural style image that cannot be read is replaced by another drawn from the same seed; after this many in a
// row the sample is skipped (its content is then substituted by the pipeline, as for an unreadable content).
constexpr int max_natural_style_attempts = 8;

// One producer's maker of style images, used only by that producer's thread.
class StyleImageMaker {
 public:
  // `natural_index`: the index natural styles are drawn from (the specification's own or the content's); it and
  // `style` outlive the maker. `backend`: where the generator runs (generated styles; natural ones are decoded on
  // the CPU either way).
  StyleImageMaker(const StyleSpecification& style, const io::DatasetIndex& natural_index,
                  const GeneratorBackend& backend, ProducerContext context);

  // The style image of `style_seed` as [1, 3, height, width] float32 in [0, 1] (a file's pixels / 255: generated
  // images are quantized as their PNG would be) and its record: a generated style's full intervention record, or for
  // a natural style class_index −1 with latent_seed = the style image's dataset index. False when the loader is
  // stopping or no usable style came out (the skip is recorded with its reason).
  bool make(std::uint64_t style_seed, Tensor& image, InterventionRecord& record);

 private:
  bool make_generated(std::uint64_t style_seed, Tensor& image, InterventionRecord& record);
  bool make_natural(std::uint64_t style_seed, Tensor& image, InterventionRecord& record);

  const StyleSpecification& style_;
  const io::DatasetIndex& natural_index_;
  ProducerContext context_;
  // Generated styles.
  std::optional<InterventionSampler> sampler_;
  std::unique_ptr<SourceGenerator> generator_;
  InterventionBatch batch_;
  std::vector<float> generated_;  // [3, resolution, resolution] in [−1, 1]
  // Natural styles.
  std::optional<io::NaturalSampleMaker> maker_;
  std::vector<std::uint8_t> natural_;  // image_size² × 3, HWC
  std::string path_;
};

}  // namespace genint::loader
