// Transferred source and its per-thread producer: content (natural reader, uint8) → style of the content's group
// (generated or natural, statistics once per group) → AdaIN stylize with the sample's α (CPU or CUDA) → cropped back
// to the content's size, quantized, and written in the natural source's layout and normalization.
#include "loader/sources/transferred/transferred_source.h"

#include <cmath>
#include <optional>
#include <vector>

#include "io/transforms/sample_random.h"
#include "loader/order/shard_order.h"
#include "loader/sources/source_statistics.h"
#include "loader/sources/transferred/stylizer.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

// Keep the style and α draws apart from every other use of the same seeds.
constexpr std::uint64_t style_seed_tag = 0x5472616e73ull;  // "Trans"
constexpr std::uint64_t alpha_seed_tag = 0x416c706861ull;  // "Alpha"

class TransferredProducer : public SampleProducer {
 public:
  TransferredProducer(const TransferredSource& source, ProducerContext context)
      : source_(source),
        context_(context),
        size_(source.content().pipeline().output_size),
        reader_(source.content(), io::OutputLayout::Uint8HWC, *context.statistics),
        styles_(source.style(), source.natural_style_index(), source.settings().backend, context),
        stylizer_(source.settings().network_path, source.settings().backend),
        content_bytes_(static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_) * 3),
        quantized_(content_bytes_.size()),
        content_(Tensor::empty(Shape{1, 3, size_, size_}, DType::Float32, Device::Cpu)) {}

  void produce(SampleRequest* requests, std::size_t count) override {
    for (std::size_t index = 0; index < count; ++index) {
      // An AdaIN forward is the long step: none starts for a loader that is shutting down.
      if (context_.stopping()) return;
      produce_one(requests[index]);
    }
  }

 private:
  void produce_one(SampleRequest& request) {
    SampleRecord& record = *request.record;
    if (!reader_.read(request, content_bytes_.data(), record)) return;
    if (!ensure_style(request)) return;
    const float alpha = alpha_of(request, source_.settings());
    load_content();
    const Tensor& stylized = stylizer_.stylize(content_, alpha);
    if (!write_sample(stylized, request.pixels)) {
      context_.statistics->record_skip("non-finite AdaIN output", "item " + std::to_string(record.item) +
                                                                      ", style seed " + std::to_string(style_seed_));
      return;
    }
    record.intervention = style_record_;
    record.transfer_alpha = alpha;
    request.delivered = true;
  }

  // The style of the request's group, made and measured once per group this producer meets (the last group is kept:
  // a group's k requests come in one call, and a retried content comes right after its group's call).
  bool ensure_style(const SampleRequest& request) {
    const std::uint64_t group =
        request.stream_index / static_cast<std::uint64_t>(source_.settings().contents_per_style);
    if (style_group_ && *style_group_ == group) return true;
    style_group_.reset();
    style_seed_ = style_seed_of(request, source_.settings());
    if (!styles_.make(style_seed_, style_image_, style_record_)) return false;
    stylizer_.set_style(style_image_);
    source_.count_style();
    style_group_ = group;
    return true;
  }

  // uint8 HWC content → [1, 3, size, size] in [0, 1], as pytorch-AdaIN's ToTensor().
  void load_content() {
    float* values = content_.data<float>();
    const auto plane = static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_);
    for (std::size_t pixel = 0; pixel < plane; ++pixel)
      for (std::size_t channel = 0; channel < 3; ++channel)
        values[channel * plane + pixel] = static_cast<float>(content_bytes_[pixel * 3 + channel]) / 255.0f;
  }

  // AdaIN's output is 8·ceil(size/8) on each side: its top-left size × size is the content's frame (the decoder's
  // upsampling adds the extra rows and columns at the bottom and right). Quantized as an image file would be, then
  // uint8 HWC or normalized exactly as a natural sample. False when a value is not finite.
  bool write_sample(const Tensor& stylized, std::uint8_t* pixels) {
    const auto height = static_cast<std::size_t>(stylized.size(2)), width = static_cast<std::size_t>(stylized.size(3));
    const auto size = static_cast<std::size_t>(size_);
    GENINT_CHECK(height >= size && width >= size, "transferred source: AdaIN output is smaller than the content");
    const float* values = stylized.data<float>();
    const bool bytes_out = source_.content().pipeline().layout == io::OutputLayout::Uint8HWC;
    std::uint8_t* quantized = bytes_out ? pixels : quantized_.data();
    for (std::size_t y = 0; y < size; ++y)
      for (std::size_t x = 0; x < size; ++x)
        for (std::size_t channel = 0; channel < 3; ++channel) {
          const float value = values[(channel * height + y) * width + x];
          if (!std::isfinite(value)) return false;
          // torchvision's save_image rounds ·255; the network already clamped to [0, 1].
          quantized[(y * size + x) * 3 + channel] = static_cast<std::uint8_t>(std::nearbyint(value * 255.0f));
        }
    if (!bytes_out)
      normalize_images_cpu(quantized_.data(), 1, size_, size_, source_.content().pipeline().normalization,
                           reinterpret_cast<float*>(pixels));
    return true;
  }

  const TransferredSource& source_;
  ProducerContext context_;
  int size_;
  NaturalSampleReader reader_;
  StyleImageMaker styles_;
  Stylizer stylizer_;                        // each producer its own: the network's arena is per call sequence
  std::vector<std::uint8_t> content_bytes_;  // size² × 3, HWC
  std::vector<std::uint8_t> quantized_;      // float layout: the stylized image before normalization
  Tensor content_;
  Tensor style_image_;
  std::optional<std::uint64_t> style_group_;  // the group whose style is held below
  std::uint64_t style_seed_ = 0;
  InterventionRecord style_record_;
};

}  // namespace

std::uint64_t style_seed_of(const SampleRequest& request, const TransferredSourceSettings& settings) {
  const std::uint64_t group = request.stream_index / static_cast<std::uint64_t>(settings.contents_per_style);
  const std::uint64_t global_group =
      group * static_cast<std::uint64_t>(settings.world_size) + static_cast<std::uint64_t>(settings.rank);
  return mix_seed(request.source_seed, style_seed_tag, global_group);
}

float alpha_of(const SampleRequest& request, const TransferredSourceSettings& settings) {
  if (settings.alpha_min == settings.alpha_max) return settings.alpha_min;
  io::SampleRandom random(mix_seed(request.seed, alpha_seed_tag));
  const double alpha = random.uniform(settings.alpha_min, settings.alpha_max);
  return std::min(static_cast<float>(alpha), settings.alpha_max);  // the float of a value just below max may round up
}

TransferredSource::TransferredSource(TransferredSourceSettings settings, std::unique_ptr<NaturalSource> content,
                                     StyleSpecification style)
    : settings_(std::move(settings)), content_(std::move(content)), style_(std::move(style)) {
  GENINT_CHECK(content_ != nullptr, "transferred source: no content source");
  GENINT_CHECK(settings_.alpha_min >= 0.0f && settings_.alpha_min <= settings_.alpha_max && settings_.alpha_max <= 1.0f,
               "transferred source: alpha range [" + std::to_string(settings_.alpha_min) + ", " +
                   std::to_string(settings_.alpha_max) + "] must lie in [0, 1] with its low end first");
  GENINT_CHECK(settings_.contents_per_style >= 1, "transferred source: contents_per_style " +
                                                      std::to_string(settings_.contents_per_style) + " must be ≥ 1");
  GENINT_CHECK(settings_.world_size >= 1 && settings_.rank >= 0 && settings_.rank < settings_.world_size,
               "transferred source: rank " + std::to_string(settings_.rank) + " outside the world of " +
                   std::to_string(settings_.world_size));
  GENINT_CHECK(style_.kind == StyleKind::Natural || style_.weights.has_value(),
               "transferred source: generated styles need the generator's weights");
  GENINT_CHECK(natural_style_index().size() > 0 || style_.kind == StyleKind::Generated,
               "transferred source: the natural style folder holds no image");
}

std::unique_ptr<SampleProducer> TransferredSource::make_producer(int, ProducerContext context) {
  return std::make_unique<TransferredProducer>(*this, context);
}

}  // namespace genint::loader
