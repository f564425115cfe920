// Style images for the transferred source: one generator forward per style (the intervention source's sampler and
// generator, on the CPU or a CUDA device), or one natural file decoded at the loader's image size; both in [0, 1].
#include "loader/sources/transferred/style_images.h"

#include <cmath>

#include "gan/images/generated_image.h"
#include "loader/order/shard_order.h"
#include "loader/sources/intervention/intervention_source.h"
#include "loader/sources/source_statistics.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

// Keeps a natural style's choice of file apart from every other draw made from the same style seed.
constexpr std::uint64_t natural_style_tag = 0x5374796c65ull;  // "Style"

// `image` as [1, 3, height, width] float32 on the CPU, reallocated only when the size changes (never, after the
// first style: a source's styles all have one size).
float* shaped(Tensor& image, int height, int width) {
  const Shape shape{1, 3, height, width};
  if (image.raw_data() == nullptr || image.shape() != shape) image = Tensor::empty(shape, DType::Float32, Device::Cpu);
  return image.data<float>();
}

}  // namespace

StyleImageMaker::StyleImageMaker(const StyleSpecification& style, const io::DatasetIndex& natural_index,
                                 const GeneratorBackend& backend, ProducerContext context)
    : style_(style), natural_index_(natural_index), context_(context) {
  if (style.kind == StyleKind::Natural) {
    maker_.emplace(style.pipeline);
    natural_.resize(maker_->output_values());
    return;
  }
  GENINT_CHECK(style.weights.has_value(), "transferred source: generated styles need the generator's weights");
  const DirectionSet* directions = style.directions ? &*style.directions : nullptr;
  sampler_.emplace(style.weights->config, directions, style.intervention.intervention);
  // One style per forward: a group of contents shares one style, and groups are made one at a time.
  generator_ = make_source_generator(*style.weights, backend, 1, context.stop_requested);
  sampler_->reserve(1, batch_);
  const auto resolution = static_cast<std::size_t>(generator_->resolution());
  generated_.resize(3 * resolution * resolution);
  // The hook reads batch_ by reference, so it is set once and sees every style's record.
  if (is_activation_space(sampler_->options().space))
    generator_->set_activation_hook(sampler_->activation_hook(batch_));
}

bool StyleImageMaker::make(std::uint64_t style_seed, Tensor& image, InterventionRecord& record) {
  if (context_.stopping()) return false;
  return style_.kind == StyleKind::Generated ? make_generated(style_seed, image, record)
                                             : make_natural(style_seed, image, record);
}

bool StyleImageMaker::make_generated(std::uint64_t style_seed, Tensor& image, InterventionRecord& record) {
  sampler_->sample(&style_seed, nullptr, 1, batch_);
  if (!generator_->generate(1, generator_inputs(batch_), generated_.data())) return false;
  const int resolution = generator_->resolution();
  float* pixels = shaped(image, resolution, resolution);
  for (std::size_t index = 0; index < generated_.size(); ++index) {
    if (!std::isfinite(generated_[index])) {
      context_.statistics->record_skip(
          "non-finite generator output (style)",
          "seed " + std::to_string(style_seed) + ", class " + std::to_string(batch_.records[0].class_index));
      return false;
    }
    // The pixel value a PNG of the style would hold, as pytorch-AdaIN reads its style files.
    pixels[index] = static_cast<float>(quantize_generated_value(generated_[index])) / 255.0f;
  }
  record = to_loader_record(batch_.records[0]);
  return true;
}

bool StyleImageMaker::make_natural(std::uint64_t style_seed, Tensor& image, InterventionRecord& record) {
  const int size = maker_->config().output_size;
  for (int attempt = 0; attempt < max_natural_style_attempts; ++attempt) {
    const std::uint64_t item = mix_seed(style_seed, natural_style_tag, static_cast<std::uint64_t>(attempt)) %
                               static_cast<std::uint64_t>(natural_index_.size());
    natural_index_.full_path_into(item, path_);
    const io::SampleResult result = maker_->make_from_file(path_, style_seed, natural_.data());
    if (!io::decode_outcome_has_pixels(result.outcome)) {
      context_.statistics->record_skip(std::string("style image: ") + io::decode_outcome_name(result.outcome),
                                       result.detail.empty() ? path_ : path_ + ": " + result.detail);
      continue;
    }
    float* pixels = shaped(image, size, size);
    const auto plane = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    for (std::size_t pixel = 0; pixel < plane; ++pixel)
      for (std::size_t channel = 0; channel < 3; ++channel)
        pixels[channel * plane + pixel] = static_cast<float>(natural_[pixel * 3 + channel]) / 255.0f;
    record = InterventionRecord{};  // class_index −1: no intervention
    record.latent_seed = item;      // the style image's dataset index (genint.h: transferred samples)
    return true;
  }
  return false;
}

}  // namespace genint::loader
