// AutoAugment's geometric operations (shear, translate, rotate) with torchvision's tensor-backend sampling:
// the inverse affine matrix of F.affine / F.rotate, the float32 grid of _gen_affine_grid and grid_sample.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace genint::io::torchvision_ops {

// The interpolations torchvision's tensor affine and rotate accept.
enum class GridInterpolation { Nearest, Bilinear };

// torchvision's `fill`: absent (None: samples outside the image read as 0, and bilinear blends towards 0),
// or one value per channel (_apply_grid_transform's mask: nearest replaces, bilinear blends with it).
struct GridFill {
  bool given = false;
  std::array<std::uint8_t, 3> value{0, 0, 0};
};

// torchvision.transforms.functional._get_inverse_affine_matrix (inverted = True), in double as Python
// computes it: center and translate in pixels, angle and shears in degrees. Row-major 2 × 3.
std::array<double, 6> inverse_affine_matrix(std::array<double, 2> center, double angle_degrees,
                                            std::array<double, 2> translate, double scale,
                                            std::array<double, 2> shear_degrees);

// functional_tensor.affine (output size = input size) on a width × height uint8 HWC RGB image: the matrix
// cast to float32, torchvision's normalised pixel-centre grid, grid_sample(align_corners=False, padding zeros)
// and the fill mask, rounded half to even into `destination` (which must not alias `source`).
void warp_affine(const std::uint8_t* source, std::uint8_t* destination, int width, int height,
                 const std::array<double, 6>& inverse_matrix, GridInterpolation interpolation, const GridFill& fill);

// AutoAugment's geometric ops exactly as autoaugment._apply_op calls F.affine / F.rotate on a tensor, in place
// (through `scratch`). Shears are about the top-left corner (center=[0, 0]) with angle degrees(atan(magnitude));
// translations take whole pixels (int(magnitude), truncated by the caller); rotation turns counter-clockwise
// about the image centre for positive degrees. `horizontal` picks ShearX (else ShearY).
void shear(std::uint8_t* image, int width, int height, double magnitude, bool horizontal,
           GridInterpolation interpolation, const GridFill& fill, std::vector<std::uint8_t>& scratch);
void translate(std::uint8_t* image, int width, int height, int pixels_x, int pixels_y, GridInterpolation interpolation,
               const GridFill& fill, std::vector<std::uint8_t>& scratch);
void rotate(std::uint8_t* image, int width, int height, double degrees, GridInterpolation interpolation,
            const GridFill& fill, std::vector<std::uint8_t>& scratch);

}  // namespace genint::io::torchvision_ops
