// AutoAugment (Cubuk et al. 2019) as torchvision.transforms.AutoAugment runs it on a uint8 tensor: the ImageNet
// policy's 25 sub-policies, the 14 operations, 10 magnitude bins, and the per-sample draw on genint's RNG.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "io/transforms/auto_augment_geometry.h"
#include "io/transforms/sample_random.h"

namespace genint::io {

// torchvision's operation names, in _augmentation_space's order.
enum class AutoAugmentOp : std::uint8_t {
  ShearX,
  ShearY,
  TranslateX,
  TranslateY,
  Rotate,
  Brightness,
  Color,
  Contrast,
  Sharpness,
  Posterize,
  Solarize,
  AutoContrast,
  Equalize,
  Invert,
};
constexpr int kAutoAugmentOpCount = 14;
constexpr int kAutoAugmentMagnitudeBins = 10;  // AutoAugment.forward's _augmentation_space(10, ...)

const char* auto_augment_op_name(AutoAugmentOp op);  // "ShearX", ... as torchvision spells them
// Whether the op's magnitude takes a random sign (shear, translate, rotate and the four colour blends).
bool auto_augment_op_is_signed(AutoAugmentOp op);
// torchvision's _augmentation_space(10, (height, width))[op][0][bin] as the float32 value .item() gives
// (translations scale with the image: 150/331 of its width or height at bin 9); 0 for ops without magnitude.
double auto_augment_magnitude(AutoAugmentOp op, int magnitude_bin, int width, int height);

enum class AutoAugmentPolicy { ImageNet };
// "imagenet" (torchvision's AutoAugmentPolicy.IMAGENET value); anything else is an error listing the names.
AutoAugmentPolicy auto_augment_policy_from_name(const std::string& name);

// One (operation, probability, magnitude bin) entry of a sub-policy; magnitude_bin is −1 where torchvision
// writes None (AutoContrast, Equalize, Invert).
struct AutoAugmentStep {
  AutoAugmentOp op;
  double probability;
  int magnitude_bin;
};
using AutoAugmentSubPolicy = std::array<AutoAugmentStep, 2>;
// The policy's sub-policies in torchvision's order (ImageNet: 25).
const std::vector<AutoAugmentSubPolicy>& auto_augment_sub_policies(AutoAugmentPolicy policy);

using AutoAugmentInterpolation = torchvision_ops::GridInterpolation;
// "nearest" or "bilinear"; anything else is an error naming the accepted values.
AutoAugmentInterpolation auto_augment_interpolation_from_name(const std::string& name);

struct AutoAugmentOptions {
  AutoAugmentPolicy policy = AutoAugmentPolicy::ImageNet;
  // torchvision's default; its reference training recipe (references/classification/presets.py) passes the
  // recipe's interpolation, bilinear.
  AutoAugmentInterpolation interpolation = AutoAugmentInterpolation::Nearest;
  torchvision_ops::GridFill fill;  // default: torchvision's fill=None
};

// What AutoAugment did to one sample: which sub-policy it drew and which of its two steps ran, and with which
// sign. sub_policy −1 means AutoAugment was off.
struct AutoAugmentChoice {
  int sub_policy = -1;
  std::array<bool, 2> applied{false, false};
  std::array<bool, 2> negated{false, false};  // signed ops only: magnitude × −1 (torchvision's signs[i] == 0)
};

// One operation with autoaugment._apply_op's semantics on a width × height uint8 HWC RGB image, in place:
// `magnitude` is what _apply_op receives (the bin's value, sign applied). `scratch` is reused between calls.
void apply_auto_augment_op(std::uint8_t* image, int width, int height, AutoAugmentOp op, double magnitude,
                           const AutoAugmentOptions& options, std::vector<std::uint8_t>& scratch);

// One per thread (it keeps scratch memory). Same image + same SampleRandom state → same output and choice.
class AutoAugment {
 public:
  explicit AutoAugment(AutoAugmentOptions options = {});

  // AutoAugment.get_params on `random`: the sub-policy uniformly, then for each step a uniform u in [0, 1)
  // (the step runs when u <= its probability) and a fair sign: five draws whatever the outcome (the first
  // may be redrawn by SampleRandom's unbiased rejection, with probability below 1e-17).
  AutoAugmentChoice draw(SampleRandom& random) const;
  // Runs the chosen sub-policy's applied steps in order, as AutoAugment.forward does.
  void apply(std::uint8_t* image, int width, int height, const AutoAugmentChoice& choice);
  // Sizes the scratch memory for images up to width × height now rather than on first use.
  void reserve(int width, int height);

  // The magnitude step `step` of `choice` runs with on a width × height image (sign included).
  double step_magnitude(const AutoAugmentChoice& choice, int step, int width, int height) const;
  const std::vector<AutoAugmentSubPolicy>& sub_policies() const { return *sub_policies_; }
  const AutoAugmentOptions& options() const { return options_; }

 private:
  AutoAugmentOptions options_;
  const std::vector<AutoAugmentSubPolicy>* sub_policies_;
  std::vector<std::uint8_t> scratch_;
};

}  // namespace genint::io
