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
  void source(int column, int row, float& source_x, float& source_y) const {
    const float x = base_x0 + static_cast<float>(column), y = base_y0 + static_cast<float>(row);
    const float grid_x = std::fma(y, x_from_y, x * x_from_x) + x_offset;
    const float grid_y = std::fma(y, y_from_y, x * y_from_x) + y_offset;
    source_x = std::fma(grid_x + 1.0f, half_width, -0.5f);
    source_y = std::fma(grid_y + 1.0f, half_height, -0.5f);
  }
};

std::uint8_t round_to_byte(float value) {
  return static_cast<std::uint8_t>(std::clamp(std::nearbyint(value), 0.0f, 255.0f));  // torch.round: half to even
}

void sample_nearest(const std::uint8_t* source, int width, int height, float source_x, float source_y,
                    const GridFill& fill, std::uint8_t* output) {
  const float nearest_x = std::nearbyint(source_x), nearest_y = std::nearbyint(source_y);
  if (nearest_x > -1.0f && nearest_x < static_cast<float>(width) && nearest_y > -1.0f &&
      nearest_y < static_cast<float>(height)) {
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
void sample_bilinear(const std::uint8_t* source, int width, int height, float source_x, float source_y,
                     const GridFill& fill, std::uint8_t* output) {
  const float west = std::floor(source_x), north = std::floor(source_y);
  const float east_weight = source_x - west, west_weight = 1.0f - east_weight;
  const float south_weight = source_y - north, north_weight = 1.0f - south_weight;
  const float weights[4] = {north_weight * west_weight, north_weight * east_weight, south_weight * west_weight,
                            south_weight * east_weight};
  const int column = static_cast<int>(west), row = static_cast<int>(north);
  const std::uint8_t* corners[4] = {nullptr, nullptr, nullptr, nullptr};
  for (int corner = 0; corner < 4; ++corner) {
    const int corner_column = column + (corner & 1), corner_row = row + (corner >> 1);
    if (corner_column >= 0 && corner_column < width && corner_row >= 0 && corner_row < height)
      corners[corner] = source + (std::size_t(corner_row) * width + std::size_t(corner_column)) * 3;
  }
  auto interpolate = [&](auto corner_value) {
    float sum = corner_value(0) * weights[0];
    for (int corner = 1; corner < 4; ++corner) sum = std::fma(corner_value(corner), weights[corner], sum);
    return sum;
  };
  const float mask = interpolate([&](int corner) { return corners[corner] ? 1.0f : 0.0f; });
  for (int channel = 0; channel < 3; ++channel) {
    float value =
        interpolate([&](int corner) { return corners[corner] ? static_cast<float>(corners[corner][channel]) : 0.0f; });
    if (fill.given) {  // img * mask + (1 − mask) * fill: separate tensor ops, each rounded
      const float kept = value * mask;
      const float filled = (1.0f - mask) * static_cast<float>(fill.value[channel]);
      value = kept + filled;
    }
    output[channel] = round_to_byte(value);
  }
}

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
  for (int row = 0; row < height; ++row) {
    std::uint8_t* output = destination + std::size_t(row) * width * 3;
    for (int column = 0; column < width; ++column, output += 3) {
      float source_x = 0.0f, source_y = 0.0f;
      grid.source(column, row, source_x, source_y);
      if (interpolation == GridInterpolation::Nearest)
        sample_nearest(source, width, height, source_x, source_y, fill, output);
      else
        sample_bilinear(source, width, height, source_x, source_y, fill, output);
    }
  }
}

void shear_x(std::uint8_t* image, int width, int height, double magnitude, GridInterpolation interpolation,
             const GridFill& fill, std::vector<std::uint8_t>& scratch) {
  const double corner[2] = {0.0, 0.0};
  const double shear = python_degrees(std::atan(magnitude));
  warp_in_place(image, width, height, tensor_affine_matrix(width, height, corner, 0.0, {0.0, 0.0}, {shear, 0.0}),
                interpolation, fill, scratch);
}

void shear_y(std::uint8_t* image, int width, int height, double magnitude, GridInterpolation interpolation,
             const GridFill& fill, std::vector<std::uint8_t>& scratch) {
  const double corner[2] = {0.0, 0.0};
  const double shear = python_degrees(std::atan(magnitude));
  warp_in_place(image, width, height, tensor_affine_matrix(width, height, corner, 0.0, {0.0, 0.0}, {0.0, shear}),
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
