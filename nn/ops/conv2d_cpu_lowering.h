// How the CPU conv2d lowers a convolution to GEMMs: which kernel taps can see the image, how output columns are
// split into blocks (several small images, or row ranges of one large image), and the copies in and out of blocks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/ops/conv2d.h"

namespace genint::conv2d_cpu_detail {

// A block of output columns lowered and multiplied together: `image_count` whole images, or rows
// [first_row, first_row + row_count) of one image. Its columns are (image, out_row, out_column), image-major.
struct ColumnBlock {
  int first_image = 0, image_count = 1;
  int first_row = 0, row_count = 0;
};

struct Lowering {
  Conv2dShape shape;
  int out_height = 0, out_width = 0;
  std::int64_t pixels = 0;    // out_height · out_width
  std::int64_t in_plane = 0;  // in_height · in_width
  // Kept taps: kernel rows [row_begin, row_end) × columns [column_begin, column_end). A tap outside them reads
  // only padding for every output pixel (most 3×3 taps at 1×1 and 2×2 stride-2 maps), so it is left out.
  int row_begin = 0, row_end = 0, column_begin = 0, column_end = 0;
  int group_channels = 0, out_per_group = 0;
  std::int64_t group_rows = 0;  // rows of one group's lowered matrix: group_channels · kept taps
  std::int64_t rows = 0;        // group_rows · groups
  bool all_taps = true;         // no tap left out: the weight is used as it is
  bool identity = false;        // 1×1, stride 1, unpadded: a one-image block's lowered matrix is the image itself
  // Blocking: up to `block_images` images per block when images are small, else `block_rows` rows of one image.
  int block_images = 1, block_rows = 0;
  std::int64_t block_columns = 0;  // the most columns any block has

  int kept_taps() const { return (row_end - row_begin) * (column_end - column_begin); }
  std::int64_t kept_weight_elements() const { return static_cast<std::int64_t>(shape.out_channels) * group_rows; }
  std::int64_t columns(const ColumnBlock& block) const {
    return static_cast<std::int64_t>(block.image_count) * block.row_count * out_width;
  }
  // True when the block's columns are laid out as in one NCHW image plane (no gather or scatter needed).
  bool in_place(const ColumnBlock& block) const { return block.image_count == 1; }
};

Lowering make_lowering(const Conv2dShape& shape);
// Number of blocks, and block `index` of them, for `threads` threads: multi-image blocks are split so every
// thread gets one, while never holding more than block_columns columns.
int block_count(const Lowering& lowering, int threads);
ColumnBlock block_at(const Lowering& lowering, int threads, int index);

// columns[rows × columns(block)]: row (channel, kept tap), column (image, pixel) = the input value that tap sees
// (0 in the padding). Leading dimension columns(block).
void lower_block(const Lowering& lowering, const ColumnBlock& block, const float* input, float* columns);
// The adjoint of lower_block: every entry is added onto the input pixel it was copied from (input_grad must be
// zeroed first for the block's images).
void lower_block_adjoint(const Lowering& lowering, const ColumnBlock& block, const float* columns, float* input_grad);
// NCHW planes of `channels` channels and `plane` values per image ↔ a block matrix [channels × image_count·plane].
void gather_planes(const float* tensor, int channels, std::int64_t plane, const ColumnBlock& block, float* matrix);
void scatter_planes(const float* matrix, int channels, std::int64_t plane, const ColumnBlock& block, float* tensor);

// The weight restricted to the kept taps, [out_channels × group_rows], and back (zeros at the taps left out).
void keep_taps(const Lowering& lowering, const float* weight, float* kept);
void expand_taps(const Lowering& lowering, const float* kept, float* weight);

}  // namespace genint::conv2d_cpu_detail
