// torchvision's tensor affine/rotate, step by step in the precision torch uses: the matrix in double (Python), the
// grid in float32 with one fused multiply-add where torch's BLAS fuses, sampling as grid_sample's CPU kernel.
#include "io/transforms/auto_augment_geometry.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "nn/core/error.h"

namespace genint::io::torchvision_ops {
namespace {

// Python's math.radians and math.degrees: one multiplication by a constant computed once.
constexpr double kPi = 3.141592653589793238462643383279502884;
double radians(double degrees) {
  return degrees * (kPi / 180.0);
}
double python_degrees(double radians_value) {
  return radians_value * (180.0 / kPi);
}

#if defined(__GNUC__)
#define GENINT_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GENINT_ALWAYS_INLINE inline
#endif

// Round half to even, as torch.round and grid_sample's nearest do, without a libm call: adding and removing
// 1.5·2^23 leaves the integer the current (default, to-nearest-even) rounding mode picks, for |value| < 2^22.
// Larger values lie far outside any image; they come back unrounded and fail the caller's bounds test.
GENINT_ALWAYS_INLINE float round_half_even(float value) {
  constexpr float kShift = 12582912.0f;
  if (!(std::fabs(value) < 4194304.0f)) return value;
  return (value + kShift) - kShift;
}

// floor for |value| < 2^22 (through truncation); larger values come back as they are.
GENINT_ALWAYS_INLINE float floor_small(float value) {
  if (!(std::fabs(value) < 4194304.0f)) return value;
  const float truncated = static_cast<float>(static_cast<int>(value));
  return truncated > value ? truncated - 1.0f : truncated;
}

GENINT_ALWAYS_INLINE bool inside(float column, float row, int width, int height) {
  return column > -1.0f && column < static_cast<float>(width) && row > -1.0f && row < static_cast<float>(height);
}

// Source position of output pixels in input pixel units, for one output pixel at a time.
struct SamplingGrid {
  // _gen_affine_grid: theta (float32) transposed and divided by (w/2, h/2) in float32.
  float x_from_x, x_from_y, x_offset, y_from_x, y_from_y, y_offset;
  float half_width, half_height;  // grid_sample's unnormalisation factor, size / 2 in float32
  float base_x0, base_y0;         // the grid's first pixel centre, −size/2 + 0.5

  SamplingGrid(const std::array<double, 6>& matrix, int width, int height) {
    const float scale_x = static_cast<float>(0.5 * width), scale_y = static_cast<float>(0.5 * height);
    x_from_x = static_cast<float>(matrix[0]) / scale_x;
    x_from_y = static_cast<float>(matrix[1]) / scale_x;
    x_offset = static_cast<float>(matrix[2]) / scale_x;
    y_from_x = static_cast<float>(matrix[3]) / scale_y;
    y_from_y = static_cast<float>(matrix[4]) / scale_y;
    y_offset = static_cast<float>(matrix[5]) / scale_y;
    half_width = static_cast<float>(width) / 2.0f;
    half_height = static_cast<float>(height) / 2.0f;
    base_x0 = static_cast<float>(-width * 0.5 + 0.5);
    base_y0 = static_cast<float>(-height * 0.5 + 0.5);
  }

  // The base grid times the rescaled theta is a BLAS sgemm in torch (K = 3): x·a, then y·b fused into it,
  // then + c, as the reference build's OpenBLAS does; then grid_sample's (g + 1)·size/2 − 0.5, which torch's
  // compiler fused into one multiply-add. (Each fusion choice was the one that matched torch on every golden.)
  GENINT_ALWAYS_INLINE void source(int column, int row, float& source_x, float& source_y) const {
    const float x = base_x0 + static_cast<float>(column), y = base_y0 + static_cast<float>(row);
    const float grid_x = std::fma(y, x_from_y, x * x_from_x) + x_offset;
    const float grid_y = std::fma(y, y_from_y, x * y_from_x) + y_offset;
    source_x = std::fma(grid_x + 1.0f, half_width, -0.5f);
    source_y = std::fma(grid_y + 1.0f, half_height, -0.5f);
  }
};

// torch.round (half to even), then .to(uint8).
GENINT_ALWAYS_INLINE std::uint8_t round_to_byte(float value) {
  return static_cast<std::uint8_t>(std::clamp(round_half_even(value), 0.0f, 255.0f));
}

GENINT_ALWAYS_INLINE void sample_nearest(const std::uint8_t* source, int width, int height, float source_x,
                                         float source_y, const GridFill& fill, std::uint8_t* output) {
  const float nearest_x = round_half_even(source_x), nearest_y = round_half_even(source_y);
  if (inside(nearest_x, nearest_y, width, height)) {
    std::memcpy(output, source + (std::size_t(nearest_y) * width + std::size_t(nearest_x)) * 3, 3);
  } else if (fill.given) {
    std::memcpy(output, fill.value.data(), 3);
  } else {
    std::memset(output, 0, 3);  // grid_sample's zero padding
  }
}

// grid_sample's bilinear kernel: corner weights from the floor, corners outside the image read as 0, the four
// products summed nw, ne, sw, se in a chain of multiply-adds (as torch's build compiled the kernel); with a
// fill, the same sum over a ones channel is the mask torchvision blends the fill in with.
GENINT_ALWAYS_INLINE void sample_bilinear(const std::uint8_t* source, int width, int height, float source_x,
                                          float source_y, const GridFill& fill, std::uint8_t* output) {
  const float west = floor_small(source_x), north = floor_small(source_y);
  const float east_weight = source_x - west, west_weight = 1.0f - east_weight;
  const float south_weight = source_y - north, north_weight = 1.0f - south_weight;
  const float weights[4] = {north_weight * west_weight, north_weight * east_weight, south_weight * west_weight,
                            south_weight * east_weight};
  static const std::uint8_t kZeros[3] = {0, 0, 0};
  const std::uint8_t* corners[4];
  float ones[4] = {1.0f, 1.0f, 1.0f, 1.0f};  // the ones channel torchvision samples with the image under a fill
  const std::size_t row_bytes = std::size_t(width) * 3;
  if (west >= 0.0f && north >= 0.0f && west + 1.0f < static_cast<float>(width) &&
      north + 1.0f < static_cast<float>(height)) {  // all four corners inside: most output pixels
    corners[0] = source + std::size_t(north) * row_bytes + std::size_t(west) * 3;
    corners[1] = corners[0] + 3;
    corners[2] = corners[0] + row_bytes;
    corners[3] = corners[2] + 3;
  } else {
    for (int corner = 0; corner < 4; ++corner) {
      const float corner_x = west + static_cast<float>(corner & 1), corner_y = north + static_cast<float>(corner >> 1);
      const bool in_image = inside(corner_x, corner_y, width, height);
      corners[corner] = in_image ? source + std::size_t(corner_y) * row_bytes + std::size_t(corner_x) * 3 : kZeros;
      ones[corner] = in_image ? 1.0f : 0.0f;
    }
  }
  float mask = 1.0f;
  if (fill.given) {
    mask = ones[0] * weights[0];
    for (int corner = 1; corner < 4; ++corner) mask = std::fma(ones[corner], weights[corner], mask);
  }
  for (int channel = 0; channel < 3; ++channel) {
    float value = static_cast<float>(corners[0][channel]) * weights[0];
    for (int corner = 1; corner < 4; ++corner)
      value = std::fma(static_cast<float>(corners[corner][channel]), weights[corner], value);
    if (fill.given) {  // img * mask + (1 − mask) * fill: separate tensor ops, each rounded
      const float kept = value * mask;
      const float filled = (1.0f - mask) * static_cast<float>(fill.value[channel]);
      value = kept + filled;
    }
    output[channel] = round_to_byte(value);
  }
}

template <GridInterpolation kInterpolation>
GENINT_ALWAYS_INLINE void warp_rows(const std::uint8_t* source, std::uint8_t* destination, int width, int height,
                                    const SamplingGrid& grid, const GridFill& fill) {
  for (int row = 0; row < height; ++row) {
    std::uint8_t* output = destination + std::size_t(row) * width * 3;
    for (int column = 0; column < width; ++column, output += 3) {
      float source_x = 0.0f, source_y = 0.0f;
      grid.source(column, row, source_x, source_y);
      if (kInterpolation == GridInterpolation::Nearest)
        sample_nearest(source, width, height, source_x, source_y, fill, output);
      else
        sample_bilinear(source, width, height, source_x, source_y, fill, output);
    }
  }
}

void warp_portable(const std::uint8_t* source, std::uint8_t* destination, int width, int height,
                   const SamplingGrid& grid, GridInterpolation interpolation, const GridFill& fill) {
  if (interpolation == GridInterpolation::Nearest)
    warp_rows<GridInterpolation::Nearest>(source, destination, width, height, grid, fill);
  else
    warp_rows<GridInterpolation::Bilinear>(source, destination, width, height, grid, fill);
}

// The same code compiled for CPUs with FMA instructions: std::fma becomes one instruction instead of a libm
// call, with the same result (fma is exactly rounded either way; -ffp-contract=off keeps every other
// multiply and add separate).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__FMA__)
#define GENINT_FMA_DISPATCH 1
__attribute__((target("fma"))) void warp_fma(const std::uint8_t* source, std::uint8_t* destination, int width,
                                             int height, const SamplingGrid& grid, GridInterpolation interpolation,
                                             const GridFill& fill) {
  if (interpolation == GridInterpolation::Nearest)
    warp_rows<GridInterpolation::Nearest>(source, destination, width, height, grid, fill);
  else
    warp_rows<GridInterpolation::Bilinear>(source, destination, width, height, grid, fill);
}
#endif

// The geometric op into `scratch`, then back into `image`.
void warp_in_place(std::uint8_t* image, int width, int height, const std::array<double, 6>& matrix,
                   GridInterpolation interpolation, const GridFill& fill, std::vector<std::uint8_t>& scratch) {
  const std::size_t bytes = std::size_t(width) * height * 3;
  if (scratch.size() < bytes) scratch.resize(bytes);
  warp_affine(image, scratch.data(), width, height, matrix, interpolation, fill);
  std::memcpy(image, scratch.data(), bytes);
}

// F.affine's tensor branch: center (pixels) → centre-relative, then the inverse matrix.
std::array<double, 6> tensor_affine_matrix(int width, int height, const double* center_pixels, double angle,
                                           std::array<double, 2> translate, std::array<double, 2> shear) {
  std::array<double, 2> center{0.0, 0.0};
  if (center_pixels != nullptr)
    center = {1.0 * (center_pixels[0] - width * 0.5), 1.0 * (center_pixels[1] - height * 0.5)};
  return inverse_affine_matrix(center, angle, translate, 1.0, shear);
}

}  // namespace

std::array<double, 6> inverse_affine_matrix(std::array<double, 2> center, double angle_degrees,
                                            std::array<double, 2> translate, double scale,
                                            std::array<double, 2> shear_degrees) {
  GENINT_CHECK(scale > 0.0, "inverse_affine_matrix: scale must be positive");
  const double rotation = radians(angle_degrees);
  const double shear_x_angle = radians(shear_degrees[0]), shear_y_angle = radians(shear_degrees[1]);
  const double cx = center[0], cy = center[1], tx = translate[0], ty = translate[1];
  // RotateScaleShear without scale, term for term as torchvision writes it.
  const double a = std::cos(rotation - shear_y_angle) / std::cos(shear_y_angle);
  const double b =
      -std::cos(rotation - shear_y_angle) * std::tan(shear_x_angle) / std::cos(shear_y_angle) - std::sin(rotation);
  const double c = std::sin(rotation - shear_y_angle) / std::cos(shear_y_angle);
  const double d =
      -std::sin(rotation - shear_y_angle) * std::tan(shear_x_angle) / std::cos(shear_y_angle) + std::cos(rotation);
  std::array<double, 6> matrix{d, -b, 0.0, -c, a, 0.0};
  for (double& entry : matrix) entry = entry / scale;
  matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty);
  matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty);
  matrix[2] += cx;
  matrix[5] += cy;
  return matrix;
}

void warp_affine(const std::uint8_t* source, std::uint8_t* destination, int width, int height,
                 const std::array<double, 6>& inverse_matrix, GridInterpolation interpolation, const GridFill& fill) {
  GENINT_CHECK(width > 0 && height > 0, "warp_affine: image must have pixels");
  GENINT_CHECK(source != destination, "warp_affine: source and destination must differ");
  const SamplingGrid grid(inverse_matrix, width, height);
#if defined(GENINT_FMA_DISPATCH)
  static const bool has_fma = [] {
    __builtin_cpu_init();  // needed when the first call comes from a static initialiser
    return __builtin_cpu_supports("fma") != 0;
  }();
  if (has_fma) return warp_fma(source, destination, width, height, grid, interpolation, fill);
#endif
  warp_portable(source, destination, width, height, grid, interpolation, fill);
}

void shear(std::uint8_t* image, int width, int height, double magnitude, bool horizontal,
           GridInterpolation interpolation, const GridFill& fill, std::vector<std::uint8_t>& scratch) {
  const double corner[2] = {0.0, 0.0};
  const double angle = python_degrees(std::atan(magnitude));
  const std::array<double, 2> shear_degrees{horizontal ? angle : 0.0, horizontal ? 0.0 : angle};
  warp_in_place(image, width, height, tensor_affine_matrix(width, height, corner, 0.0, {0.0, 0.0}, shear_degrees),
                interpolation, fill, scratch);
}

void translate(std::uint8_t* image, int width, int height, int pixels_x, int pixels_y, GridInterpolation interpolation,
               const GridFill& fill, std::vector<std::uint8_t>& scratch) {
  const std::array<double, 2> shift{1.0 * pixels_x, 1.0 * pixels_y};
  warp_in_place(image, width, height, tensor_affine_matrix(width, height, nullptr, 0.0, shift, {0.0, 0.0}),
                interpolation, fill, scratch);
}

void rotate(std::uint8_t* image, int width, int height, double degrees, GridInterpolation interpolation,
            const GridFill& fill, std::vector<std::uint8_t>& scratch) {
  // F.rotate passes −angle to the matrix "due to the incoherence of rotation direction" with affine.
  warp_in_place(image, width, height, inverse_affine_matrix({0.0, 0.0}, -degrees, {0.0, 0.0}, 1.0, {0.0, 0.0}),
                interpolation, fill, scratch);
}

}  // namespace genint::io::torchvision_ops
