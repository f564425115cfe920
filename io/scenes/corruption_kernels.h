// The library operations Tiny-ImageNet-C's corruptions call, re-created in their own order of operations so that
// genint's corruptions match tools/golden/make_corruption_goldens.py to the grey level: scipy, Pillow, ImageMagick.
#pragma once

#include <cstdint>
#include <vector>

namespace genint::io::scenes {

// numpy.arange(start, stop, step) for doubles: ceil((stop - start) / step) values start + i * ((start + step) -
// start). np.arange(1, 1.06, 0.01) has 7 values (1.00 .. 1.06), not 6.
std::vector<double> numpy_arange(double start, double stop, double step);

// The Poisson count for `uniform` in [0, 1) by inversion: the smallest k with F(k) > uniform, F the CDF of `mean`
// summed term by term (P(0) = exp(-mean), P(k) = P(k - 1) mean / k), at most mean + 40 sqrt(mean) + 100.
long poisson_by_inversion(double mean, double uniform);

// poisson_by_inversion(value / 255 * photons, uniform) for byte values, from CDF tables made once per photon count
// (the same sums, so the same counts), found by binary search instead of a walk of ~mean steps.
class PoissonInverter {
 public:
  void prepare(double photons);  // no work when `photons` is the prepared one
  long count(std::uint8_t value, double uniform) const;

 private:
  double photons_ = -1.0;
  std::vector<double> cumulative_;   // every value's CDF terms, up to where adding stops changing the sum
  std::vector<std::size_t> starts_;  // 257 offsets into cumulative_
  std::vector<long> limits_;         // 256
};

// scipy.ndimage.gaussian_filter(image, (sigma, sigma, 0), mode='nearest', truncate=4) (skimage.filters.gaussian) on
// a size x size x 3 double image, with scipy's weights (normalised by numpy's pairwise sum) and summation order.
// `output` may not alias `image`; `scratch` holds one image, `weights` grows to 2 * int(4 sigma + 0.5) + 1.
void scipy_gaussian_filter(const double* image, double* output, double* scratch, int size, double sigma,
                           std::vector<double>& weights);

// scipy.ndimage.zoom(crop, (zoom, zoom, 1), order=1) as make_tinyimagenet_c.py's clipped_zoom() crops and trims
// it (ceil(size / zoom) pixels from (size - crop) // 2, corner-aligned linear interpolation, the top-left of the
// result), each value rounded to float and added to `accumulator`. Both are size x size x 3 float images.
void add_clipped_zoom(const float* image, float* accumulator, int size, double zoom, std::vector<int>& low,
                      std::vector<int>& high, std::vector<double>& fraction);

// ImageMagick 6 Q16 MotionBlurImage on size x size RGB bytes: 2 ceil(radius) + 1 taps weighted exp(-i^2 / 2
// sigma^2), tap i at (ceil(i cos a - 0.5), ceil(i sin a - 0.5)) pixels (x right, y down), edge pixels repeated
// beyond the border; the sum of weight * 257 * value rounded to a 16-bit quantum, written as quantum / 257.
void imagemagick_motion_blur(const std::uint8_t* image, std::uint8_t* output, int size, double radius, double sigma,
                             double angle_degrees, std::vector<double>& weights, std::vector<int>& offsets);

// Pillow's Image.resize((output_size, output_size), Image.BOX) of a square RGB byte image: its coefficients, its
// 22-bit fixed point and its horizontal-then-vertical passes through a byte image.
struct PillowResizeBuffers {
  std::vector<int> horizontal_bounds, vertical_bounds;
  std::vector<std::int32_t> horizontal_weights, vertical_weights;
  std::vector<std::uint8_t> intermediate;
};
void pillow_box_resize(const std::uint8_t* image, int size, std::uint8_t* output, int output_size,
                       PillowResizeBuffers& buffers);

// skimage.color.rgb2hsv, value + shift clipped to [0, 1], skimage.color.hsv2rgb, on RGB bytes / 255, in double;
// writes round(255 * rgb). `count` pixels.
void brighten_like_skimage(const std::uint8_t* image, std::uint8_t* output, std::size_t count, double shift);

// round-half-even(255 * clamp(value, 0, 1)): how the corruptions turn their float results into bytes.
std::uint8_t unit_to_byte(double value);

}  // namespace genint::io::scenes
