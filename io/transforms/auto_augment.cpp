// torchvision's AutoAugment: the ImageNet policy table, _augmentation_space's magnitudes in torch's float32
// linspace arithmetic, get_params' draws on SampleRandom, and _apply_op's dispatch to the operations.
#include "io/transforms/auto_augment.h"

#include <cmath>

#include "io/transforms/auto_augment_ops.h"
#include "nn/core/error.h"

namespace genint::io {
namespace {

using Op = AutoAugmentOp;
constexpr int kNone = -1;  // torchvision's None magnitude

// torchvision.transforms.autoaugment.AutoAugment._get_policies(AutoAugmentPolicy.IMAGENET), in order.
const std::vector<AutoAugmentSubPolicy> kImageNetPolicy = {
    {{{Op::Posterize, 0.4, 8}, {Op::Rotate, 0.6, 9}}},
    {{{Op::Solarize, 0.6, 5}, {Op::AutoContrast, 0.6, kNone}}},
    {{{Op::Equalize, 0.8, kNone}, {Op::Equalize, 0.6, kNone}}},
    {{{Op::Posterize, 0.6, 7}, {Op::Posterize, 0.6, 6}}},
    {{{Op::Equalize, 0.4, kNone}, {Op::Solarize, 0.2, 4}}},
    {{{Op::Equalize, 0.4, kNone}, {Op::Rotate, 0.8, 8}}},
    {{{Op::Solarize, 0.6, 3}, {Op::Equalize, 0.6, kNone}}},
    {{{Op::Posterize, 0.8, 5}, {Op::Equalize, 1.0, kNone}}},
    {{{Op::Rotate, 0.2, 3}, {Op::Solarize, 0.6, 8}}},
    {{{Op::Equalize, 0.6, kNone}, {Op::Posterize, 0.4, 6}}},
    {{{Op::Rotate, 0.8, 8}, {Op::Color, 0.4, 0}}},
    {{{Op::Rotate, 0.4, 9}, {Op::Equalize, 0.6, kNone}}},
    {{{Op::Equalize, 0.0, kNone}, {Op::Equalize, 0.8, kNone}}},
    {{{Op::Invert, 0.6, kNone}, {Op::Equalize, 1.0, kNone}}},
    {{{Op::Color, 0.6, 4}, {Op::Contrast, 1.0, 8}}},
    {{{Op::Rotate, 0.8, 8}, {Op::Color, 1.0, 2}}},
    {{{Op::Color, 0.8, 8}, {Op::Solarize, 0.8, 7}}},
    {{{Op::Sharpness, 0.4, 7}, {Op::Invert, 0.6, kNone}}},
    {{{Op::ShearX, 0.6, 5}, {Op::Equalize, 1.0, kNone}}},
    {{{Op::Color, 0.4, 0}, {Op::Equalize, 0.6, kNone}}},
    {{{Op::Equalize, 0.4, kNone}, {Op::Solarize, 0.2, 4}}},
    {{{Op::Solarize, 0.6, 5}, {Op::AutoContrast, 0.6, kNone}}},
    {{{Op::Invert, 0.6, kNone}, {Op::Equalize, 1.0, kNone}}},
    {{{Op::Color, 0.6, 4}, {Op::Contrast, 1.0, 8}}},
    {{{Op::Equalize, 0.8, kNone}, {Op::Equalize, 0.6, kNone}}},
};

// torch.linspace(start, end, 10)[index] in float32 as torch's CPU kernel computes it: step = (end − start) / 9,
// start + step·i for the first half and end − step·(9 − i) for the second, each a fused multiply-add in
// torch's build (checked against torch.linspace for every width 1..300 by the goldens).
double linspace_bin(double start, double end, int index) {
  constexpr int kSteps = kAutoAugmentMagnitudeBins;
  const float first = static_cast<float>(start), last = static_cast<float>(end);
  const float step = (last - first) / static_cast<float>(kSteps - 1);
  if (index < kSteps / 2) return std::fma(step, static_cast<float>(index), first);
  return std::fma(-step, static_cast<float>(kSteps - index - 1), last);
}

// 8 − round(arange(10) / 2.25): bins 0..9 keep 8, 8, 7, 7, 6, 6, 5, 5, 4, 4 bits.
double posterize_bits(int magnitude_bin) {
  return 8.0 - std::nearbyint(static_cast<float>(magnitude_bin) / 2.25f);
}

}  // namespace

const char* auto_augment_op_name(AutoAugmentOp op) {
  static const char* const kNames[kAutoAugmentOpCount] = {
      "ShearX",   "ShearY",    "TranslateX", "TranslateY", "Rotate",       "Brightness", "Color",
      "Contrast", "Sharpness", "Posterize",  "Solarize",   "AutoContrast", "Equalize",   "Invert"};
  const int index = static_cast<int>(op);
  GENINT_CHECK(index >= 0 && index < kAutoAugmentOpCount, "auto_augment_op_name: unknown op");
  return kNames[index];
}

bool auto_augment_op_is_signed(AutoAugmentOp op) {
  return op <= AutoAugmentOp::Sharpness;
}

double auto_augment_magnitude(AutoAugmentOp op, int magnitude_bin, int width, int height) {
  GENINT_CHECK(magnitude_bin >= 0 && magnitude_bin < kAutoAugmentMagnitudeBins,
               "auto_augment_magnitude: bin must be in 0..9, got " + std::to_string(magnitude_bin));
  GENINT_CHECK(width > 0 && height > 0, "auto_augment_magnitude: image must have pixels");
  switch (op) {
    case Op::ShearX:
    case Op::ShearY: return linspace_bin(0.0, 0.3, magnitude_bin);
    case Op::TranslateX: return linspace_bin(0.0, 150.0 / 331.0 * width, magnitude_bin);
    case Op::TranslateY: return linspace_bin(0.0, 150.0 / 331.0 * height, magnitude_bin);
    case Op::Rotate: return linspace_bin(0.0, 30.0, magnitude_bin);
    case Op::Brightness:
    case Op::Color:
    case Op::Contrast:
    case Op::Sharpness: return linspace_bin(0.0, 0.9, magnitude_bin);
    case Op::Posterize: return posterize_bits(magnitude_bin);
    case Op::Solarize: return linspace_bin(255.0, 0.0, magnitude_bin);
    case Op::AutoContrast:
    case Op::Equalize:
    case Op::Invert: return 0.0;
  }
  GENINT_CHECK(false, "auto_augment_magnitude: unknown op");
  return 0.0;
}

AutoAugmentPolicy auto_augment_policy_from_name(const std::string& name) {
  if (name == "imagenet") return AutoAugmentPolicy::ImageNet;
  GENINT_CHECK(false, "auto_augment: unknown policy \"" + name +
                          "\" (offered: \"imagenet\"; torchvision's cifar10 and svhn policies are not built in)");
  return AutoAugmentPolicy::ImageNet;
}

const std::vector<AutoAugmentSubPolicy>& auto_augment_sub_policies(AutoAugmentPolicy policy) {
  GENINT_CHECK(policy == AutoAugmentPolicy::ImageNet, "auto_augment_sub_policies: unknown policy");
  return kImageNetPolicy;
}

AutoAugmentInterpolation auto_augment_interpolation_from_name(const std::string& name) {
  if (name == "nearest") return AutoAugmentInterpolation::Nearest;
  if (name == "bilinear") return AutoAugmentInterpolation::Bilinear;
  GENINT_CHECK(false, "auto_augment: unknown interpolation \"" + name + "\" (offered: \"nearest\", \"bilinear\")");
  return AutoAugmentInterpolation::Nearest;
}

void apply_auto_augment_op(std::uint8_t* image, int width, int height, AutoAugmentOp op, double magnitude,
                           const AutoAugmentOptions& options, std::vector<std::uint8_t>& scratch) {
  GENINT_CHECK(width > 0 && height > 0, "apply_auto_augment_op: image must have pixels");
  namespace tv = torchvision_ops;
  const std::size_t pixels = std::size_t(width) * height;
  const AutoAugmentInterpolation interpolation = options.interpolation;
  switch (op) {
    case Op::ShearX:
    case Op::ShearY:
      return tv::shear(image, width, height, magnitude, op == Op::ShearX, interpolation, options.fill, scratch);
    // int(magnitude): Python truncates towards zero, as the cast does.
    case Op::TranslateX:
      return tv::translate(image, width, height, static_cast<int>(magnitude), 0, interpolation, options.fill, scratch);
    case Op::TranslateY:
      return tv::translate(image, width, height, 0, static_cast<int>(magnitude), interpolation, options.fill, scratch);
    case Op::Rotate: return tv::rotate(image, width, height, magnitude, interpolation, options.fill, scratch);
    case Op::Brightness: return tv::adjust_brightness(image, pixels, 1.0 + magnitude);
    case Op::Color: return tv::adjust_saturation(image, pixels, 1.0 + magnitude, scratch);
    case Op::Contrast: return tv::adjust_contrast(image, pixels, 1.0 + magnitude);
    case Op::Sharpness: return tv::adjust_sharpness(image, width, height, 1.0 + magnitude, scratch);
    case Op::Posterize: return tv::posterize(image, pixels, static_cast<int>(magnitude));
    case Op::Solarize: return tv::solarize(image, pixels, magnitude);
    case Op::AutoContrast: return tv::autocontrast(image, pixels);
    case Op::Equalize: return tv::equalize(image, pixels);
    case Op::Invert: return tv::invert(image, pixels);
  }
  GENINT_CHECK(false, "apply_auto_augment_op: unknown op");
}

AutoAugment::AutoAugment(AutoAugmentOptions options)
    : options_(options), sub_policies_(&auto_augment_sub_policies(options.policy)) {}

AutoAugmentChoice AutoAugment::draw(SampleRandom& random) const {
  AutoAugmentChoice choice;
  const auto count = static_cast<std::int64_t>(sub_policies_->size());
  choice.sub_policy = static_cast<int>(random.integer_inclusive(0, count - 1));
  // get_params draws torch.rand(2) then torch.randint(2, (2,)): both probabilities, then both signs.
  const double unit_draws[2] = {random.uniform(0.0, 1.0), random.uniform(0.0, 1.0)};
  const bool positive[2] = {random.coin(0.5), random.coin(0.5)};
  const AutoAugmentSubPolicy& steps = (*sub_policies_)[static_cast<std::size_t>(choice.sub_policy)];
  for (int step = 0; step < 2; ++step) {
    choice.applied[step] = unit_draws[step] <= steps[step].probability;  // probs[i] <= p, as torchvision
    choice.negated[step] = auto_augment_op_is_signed(steps[step].op) && !positive[step];
  }
  return choice;
}

double AutoAugment::step_magnitude(const AutoAugmentChoice& choice, int step, int width, int height) const {
  GENINT_CHECK(choice.sub_policy >= 0 && static_cast<std::size_t>(choice.sub_policy) < sub_policies_->size(),
               "AutoAugment: choice has no sub-policy");
  GENINT_CHECK(step == 0 || step == 1, "AutoAugment: step must be 0 or 1");
  const AutoAugmentStep& entry = (*sub_policies_)[static_cast<std::size_t>(choice.sub_policy)][step];
  if (entry.magnitude_bin == kNone) return 0.0;
  const double magnitude = auto_augment_magnitude(entry.op, entry.magnitude_bin, width, height);
  return choice.negated[step] ? -magnitude : magnitude;
}

void AutoAugment::apply(std::uint8_t* image, int width, int height, const AutoAugmentChoice& choice) {
  if (choice.sub_policy < 0) return;
  for (int step = 0; step < 2; ++step) {
    if (!choice.applied[step]) continue;
    const AutoAugmentOp op = (*sub_policies_)[static_cast<std::size_t>(choice.sub_policy)][step].op;
    apply_auto_augment_op(image, width, height, op, step_magnitude(choice, step, width, height), options_, scratch_);
  }
}

void AutoAugment::reserve(int width, int height) {
  GENINT_CHECK(width > 0 && height > 0, "AutoAugment::reserve: size must be positive");
  scratch_.reserve(std::size_t(width) * height * 3);
}

}  // namespace genint::io
