// The CPU conv2d's lowering: kept taps, column blocks, and the copies between NCHW tensors and block matrices
// (im2col and its adjoint restricted to the kept taps, with whole runs copied where the stride is 1).
#include "nn/ops/conv2d_cpu_lowering.h"

#include <algorithm>
#include <cstring>

namespace genint::conv2d_cpu_detail {
namespace {

// Columns a block aims for: enough for OpenBLAS to amortise packing the weight (a per-image GEMM of a 1×1 map
// has one column), few enough that a block's lowered matrix stays in L2 (512 ran ResNet-20's training step at
// batch 128 about 5 % faster than 2048, measured on one thread).
constexpr std::int64_t kBlockColumns = 512;
// A product with at most this many multiply-adds runs OpenBLAS's small-matrix kernel, which packs neither operand;
// a convolution with a small weight (few output channels) gets narrower blocks so its products stay under it
// (ResNet-20's 16-channel stage: forward about 8 % faster at 256 columns than at 512, measured on one thread).
constexpr std::int64_t kUnpackedProduct = 1 << 20;
constexpr std::int64_t kNarrowBlockColumns = 256;

std::int64_t block_columns_for(const Conv2dShape& shape, std::int64_t group_rows) {
  const std::int64_t weight = static_cast<std::int64_t>(shape.out_channels / shape.groups) * group_rows;
  return weight * kNarrowBlockColumns <= kUnpackedProduct ? kNarrowBlockColumns : kBlockColumns;
}

int ceil_div(int numerator, int denominator) {
  return (numerator + denominator - 1) / denominator;
}

// Kernel offsets [begin, end) along one axis that reach the image for at least one output position.
void kept_range(int in_size, int out_size, int kernel, int stride, int pad, int dilation, int* begin, int* end) {
  *begin = kernel;
  *end = 0;
  for (int tap = 0; tap < kernel; ++tap) {
    const int lowest = -pad + tap * dilation;
    const int highest = (out_size - 1) * stride - pad + tap * dilation;
    if (highest < 0 || lowest >= in_size) continue;
    *begin = std::min(*begin, tap);
    *end = tap + 1;
  }
}

// Output positions [first, last) along one axis whose input position for kernel offset `tap` is inside.
void inside_range(int in_size, int out_size, int stride, int pad, int dilation, int tap, int* first, int* last) {
  const int offset = tap * dilation - pad;  // input position = out·stride + offset
  *first = offset >= 0 ? 0 : ceil_div(-offset, stride);
  const int top = in_size - 1 - offset;
  *last = top < 0 ? 0 : std::min(out_size, top / stride + 1);
  *first = std::min(*first, *last);
}

// Visits every (lowered row, input channel, kernel row, kernel column) of the kept taps.
template <typename Visitor>
void for_each_row(const Lowering& lowering, Visitor&& visit) {
  std::int64_t row = 0;
  for (int channel = 0; channel < lowering.shape.in_channels; ++channel)
    for (int kernel_row = lowering.row_begin; kernel_row < lowering.row_end; ++kernel_row)
      for (int kernel_column = lowering.column_begin; kernel_column < lowering.column_end; ++kernel_column)
        visit(row++, channel, kernel_row, kernel_column);
}

// Copies (Add = false) or adds back (Add = true) one lowered row of a block: the pixels one tap sees.
template <bool Add>
void move_row(const Lowering& lowering, const ColumnBlock& block, int channel, int kernel_row, int kernel_column,
              float* row_values, float* image_base) {
  const Conv2dShape& s = lowering.shape;
  int column_first = 0, column_last = 0;
  inside_range(s.in_width, lowering.out_width, s.stride_width, s.pad_width, s.dilation_width, kernel_column,
               &column_first, &column_last);
  const int column_offset = kernel_column * s.dilation_width - s.pad_width;
  const std::int64_t image_stride = static_cast<std::int64_t>(s.in_channels) * lowering.in_plane;
  for (int image = 0; image < block.image_count; ++image) {
    float* plane = image_base + image * image_stride + channel * lowering.in_plane;
    for (int out_row = block.first_row; out_row < block.first_row + block.row_count;
         ++out_row, row_values += lowering.out_width) {
      const int in_row = out_row * s.stride_height - s.pad_height + kernel_row * s.dilation_height;
      if (in_row < 0 || in_row >= s.in_height) {
        if (!Add) std::fill(row_values, row_values + lowering.out_width, 0.0f);
        continue;
      }
      float* source = plane + static_cast<std::int64_t>(in_row) * s.in_width + column_offset;
      if (!Add) {
        std::fill(row_values, row_values + column_first, 0.0f);
        std::fill(row_values + column_last, row_values + lowering.out_width, 0.0f);
      }
      if (s.stride_width == 1) {
        if (Add) {
          for (int column = column_first; column < column_last; ++column) source[column] += row_values[column];
        } else {
          std::memcpy(row_values + column_first, source + column_first,
                      static_cast<std::size_t>(column_last - column_first) * sizeof(float));
        }
        continue;
      }
      const int stride = s.stride_width;
      for (int column = column_first; column < column_last; ++column) {
        if (Add)
          source[column * stride] += row_values[column];
        else
          row_values[column] = source[column * stride];
      }
    }
  }
}

// move_row<false> for stride 1 where the lowered rows are as wide as the input's (same padding): an image's rows
// for one tap are one run of its input plane shifted by the tap's offset, copied at once; the columns that fall in
// the padding (wrapped-around neighbours in the run) are zeroed after, and the rows in the padding before.
void copy_tap_planes(const Lowering& lowering, const ColumnBlock& block, int channel, int kernel_row, int kernel_column,
                     float* row_values, const float* image_base) {
  const Conv2dShape& s = lowering.shape;
  const int width = lowering.out_width;
  int column_first = 0, column_last = 0, row_first = 0, row_last = 0;
  inside_range(s.in_width, width, 1, s.pad_width, s.dilation_width, kernel_column, &column_first, &column_last);
  inside_range(s.in_height, lowering.out_height, 1, s.pad_height, s.dilation_height, kernel_row, &row_first, &row_last);
  const int block_last = block.first_row + block.row_count;
  row_first = std::clamp(row_first, block.first_row, block_last);
  row_last = std::clamp(row_last, row_first, block_last);
  if (column_first >= column_last) row_last = row_first;  // the tap sees only padding: all zeros
  const int column_offset = kernel_column * s.dilation_width - s.pad_width;
  const int row_offset = kernel_row * s.dilation_height - s.pad_height;
  const std::int64_t block_values = static_cast<std::int64_t>(block.row_count) * width;
  const std::int64_t image_stride = static_cast<std::int64_t>(s.in_channels) * lowering.in_plane;
  const std::int64_t inside_values = static_cast<std::int64_t>(row_last - row_first) * width;
  // The run starts at the first inside column of the first row and ends at the last inside column of the last
  // row, so it never reads outside the plane.
  const std::int64_t run = inside_values - column_first - (width - column_last);
  for (int image = 0; image < block.image_count; ++image, row_values += block_values) {
    float* inside = row_values + static_cast<std::int64_t>(row_first - block.first_row) * width;
    std::fill(row_values, inside, 0.0f);
    std::fill(inside + inside_values, row_values + block_values, 0.0f);
    if (inside_values == 0) continue;
    const float* source = image_base + image * image_stride + channel * lowering.in_plane +
                          static_cast<std::int64_t>(row_first + row_offset) * s.in_width + column_offset;
    std::memcpy(inside + column_first, source + column_first, static_cast<std::size_t>(run) * sizeof(float));
    if (column_first == 0 && column_last == width) continue;
    for (float* row = inside; row < inside + inside_values; row += width) {
      std::fill(row, row + column_first, 0.0f);
      std::fill(row + column_last, row + width, 0.0f);
    }
  }
}

}  // namespace

Lowering make_lowering(const Conv2dShape& shape) {
  Lowering lowering;
  lowering.shape = shape;
  lowering.out_height = shape.out_height();
  lowering.out_width = shape.out_width();
  lowering.pixels = static_cast<std::int64_t>(lowering.out_height) * lowering.out_width;
  lowering.in_plane = static_cast<std::int64_t>(shape.in_height) * shape.in_width;
  kept_range(shape.in_height, lowering.out_height, shape.kernel_height, shape.stride_height, shape.pad_height,
             shape.dilation_height, &lowering.row_begin, &lowering.row_end);
  kept_range(shape.in_width, lowering.out_width, shape.kernel_width, shape.stride_width, shape.pad_width,
             shape.dilation_width, &lowering.column_begin, &lowering.column_end);
  lowering.all_taps = lowering.kept_taps() == shape.kernel_height * shape.kernel_width;
  lowering.group_channels = shape.in_channels / shape.groups;
  lowering.out_per_group = shape.out_channels / shape.groups;
  lowering.group_rows = static_cast<std::int64_t>(lowering.group_channels) * lowering.kept_taps();
  lowering.rows = lowering.group_rows * shape.groups;
  lowering.identity = shape.kernel_height == 1 && shape.kernel_width == 1 && shape.stride_height == 1 &&
                      shape.stride_width == 1 && shape.pad_height == 0 && shape.pad_width == 0;
  const std::int64_t target_columns = block_columns_for(shape, lowering.group_rows);
  if (lowering.pixels * 2 >= target_columns) {  // large maps: one image per block, cut into row ranges
    lowering.block_images = 1;
    lowering.block_rows =
        static_cast<int>(std::clamp<std::int64_t>(target_columns / lowering.out_width, 1, lowering.out_height));
    lowering.block_columns = static_cast<std::int64_t>(lowering.block_rows) * lowering.out_width;
  } else {  // small maps: several images per block
    lowering.block_images =
        static_cast<int>(std::clamp<std::int64_t>(target_columns / lowering.pixels, 1, std::max(shape.batch, 1)));
    lowering.block_rows = lowering.out_height;
    lowering.block_columns = lowering.block_images * lowering.pixels;
  }
  return lowering;
}

namespace {
int images_per_block(const Lowering& lowering, int threads) {
  if (lowering.block_images == 1) return 1;
  return std::max(1, std::min(lowering.block_images, ceil_div(lowering.shape.batch, threads)));
}
}  // namespace

int block_count(const Lowering& lowering, int threads) {
  if (lowering.block_images == 1) return lowering.shape.batch * ceil_div(lowering.out_height, lowering.block_rows);
  return ceil_div(lowering.shape.batch, images_per_block(lowering, threads));
}

ColumnBlock block_at(const Lowering& lowering, int threads, int index) {
  ColumnBlock block;
  if (lowering.block_images == 1) {
    const int row_blocks = ceil_div(lowering.out_height, lowering.block_rows);
    block.first_image = index / row_blocks;
    block.first_row = (index % row_blocks) * lowering.block_rows;
    block.row_count = std::min(lowering.block_rows, lowering.out_height - block.first_row);
    return block;
  }
  const int images = images_per_block(lowering, threads);
  block.first_image = index * images;
  block.image_count = std::min(images, lowering.shape.batch - block.first_image);
  block.row_count = lowering.out_height;
  return block;
}

void lower_block(const Lowering& lowering, const ColumnBlock& block, const float* input, float* columns) {
  const std::int64_t width = lowering.columns(block);
  float* images = const_cast<float*>(input) +  // read only: move_row<false> never writes through it
                  static_cast<std::int64_t>(block.first_image) * lowering.shape.in_channels * lowering.in_plane;
  const Conv2dShape& s = lowering.shape;
  const bool whole_planes = s.stride_height == 1 && s.stride_width == 1 && s.in_width == lowering.out_width;
  for_each_row(lowering, [&](std::int64_t row, int channel, int kernel_row, int kernel_column) {
    if (whole_planes)
      copy_tap_planes(lowering, block, channel, kernel_row, kernel_column, columns + row * width, images);
    else
      move_row<false>(lowering, block, channel, kernel_row, kernel_column, columns + row * width, images);
  });
}

void lower_block_adjoint(const Lowering& lowering, const ColumnBlock& block, const float* columns, float* input_grad) {
  const std::int64_t width = lowering.columns(block);
  float* images =
      input_grad + static_cast<std::int64_t>(block.first_image) * lowering.shape.in_channels * lowering.in_plane;
  for_each_row(lowering, [&](std::int64_t row, int channel, int kernel_row, int kernel_column) {
    move_row<true>(lowering, block, channel, kernel_row, kernel_column, const_cast<float*>(columns + row * width),
                   images);
  });
}

void gather_planes(const float* tensor, int channels, std::int64_t plane, const ColumnBlock& block, float* matrix) {
  const std::int64_t width = block.image_count * plane;
  for (int image = 0; image < block.image_count; ++image) {
    const float* source = tensor + static_cast<std::int64_t>(block.first_image + image) * channels * plane;
    for (int channel = 0; channel < channels; ++channel)
      std::memcpy(matrix + channel * width + image * plane, source + channel * plane,
                  static_cast<std::size_t>(plane) * sizeof(float));
  }
}

void scatter_planes(const float* matrix, int channels, std::int64_t plane, const ColumnBlock& block, float* tensor) {
  const std::int64_t width = block.image_count * plane;
  for (int image = 0; image < block.image_count; ++image) {
    float* destination = tensor + static_cast<std::int64_t>(block.first_image + image) * channels * plane;
    for (int channel = 0; channel < channels; ++channel)
      std::memcpy(destination + channel * plane, matrix + channel * width + image * plane,
                  static_cast<std::size_t>(plane) * sizeof(float));
  }
}

void keep_taps(const Lowering& lowering, const float* weight, float* kept) {
  const Conv2dShape& s = lowering.shape;
  const std::int64_t filters = static_cast<std::int64_t>(s.out_channels) * lowering.group_channels;
  for (std::int64_t filter = 0; filter < filters; ++filter) {
    const float* source = weight + filter * s.kernel_height * s.kernel_width;
    for (int kernel_row = lowering.row_begin; kernel_row < lowering.row_end; ++kernel_row)
      for (int kernel_column = lowering.column_begin; kernel_column < lowering.column_end; ++kernel_column)
        *kept++ = source[kernel_row * s.kernel_width + kernel_column];
  }
}

void expand_taps(const Lowering& lowering, const float* kept, float* weight) {
  const Conv2dShape& s = lowering.shape;
  const std::int64_t filters = static_cast<std::int64_t>(s.out_channels) * lowering.group_channels;
  std::fill(weight, weight + s.weight_elements(), 0.0f);
  for (std::int64_t filter = 0; filter < filters; ++filter) {
    float* destination = weight + filter * s.kernel_height * s.kernel_width;
    for (int kernel_row = lowering.row_begin; kernel_row < lowering.row_end; ++kernel_row)
      for (int kernel_column = lowering.column_begin; kernel_column < lowering.column_end; ++kernel_column)
        destination[kernel_row * s.kernel_width + kernel_column] = *kept++;
  }
}

}  // namespace genint::conv2d_cpu_detail
