// CPU conv2d's im2col backend (GENINT_CPU_CONV=im2col): blocks of output columns lowered over the kept kernel taps
// (conv2d_cpu_lowering), one sgemm per group and block; OpenMP over blocks. Also Conv2dShape's arithmetic.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/conv2d_cpu_backends.h"
#include "nn/ops/conv2d_cpu_lowering.h"
#include "nn/ops/gemm.h"

namespace genint {

int Conv2dShape::out_height() const {
  return (in_height + 2 * pad_height - dilation_height * (kernel_height - 1) - 1) / stride_height + 1;
}
int Conv2dShape::out_width() const {
  return (in_width + 2 * pad_width - dilation_width * (kernel_width - 1) - 1) / stride_width + 1;
}
std::int64_t Conv2dShape::input_elements() const {
  return static_cast<std::int64_t>(batch) * in_channels * in_height * in_width;
}
std::int64_t Conv2dShape::weight_elements() const {
  return static_cast<std::int64_t>(out_channels) * (in_channels / groups) * kernel_height * kernel_width;
}
std::int64_t Conv2dShape::output_elements() const {
  return static_cast<std::int64_t>(batch) * out_channels * out_height() * out_width();
}

void Conv2dShape::validate() const {
  auto field = [](const char* name, int value) { return std::string(name) + "=" + std::to_string(value); };
  GENINT_CHECK(batch >= 0, "conv2d: " + field("batch", batch));
  GENINT_CHECK(in_channels > 0 && in_height > 0 && in_width > 0 && out_channels > 0,
               "conv2d: " + field("in_channels", in_channels) + " " + field("in_height", in_height) + " " +
                   field("in_width", in_width) + " " + field("out_channels", out_channels) + " must be positive");
  GENINT_CHECK(kernel_height > 0 && kernel_width > 0 && stride_height > 0 && stride_width > 0 && dilation_height > 0 &&
                   dilation_width > 0,
               "conv2d: kernel, stride and dilation must be positive (kernel " + std::to_string(kernel_height) + "x" +
                   std::to_string(kernel_width) + ")");
  GENINT_CHECK(pad_height >= 0 && pad_width >= 0, "conv2d: " + field("pad_height", pad_height) + " " +
                                                      field("pad_width", pad_width) + " must not be negative");
  GENINT_CHECK(groups > 0 && in_channels % groups == 0 && out_channels % groups == 0,
               "conv2d: " + field("groups", groups) + " must divide " + field("in_channels", in_channels) + " and " +
                   field("out_channels", out_channels));
  GENINT_CHECK(out_height() > 0 && out_width() > 0, "conv2d: the kernel does not fit: output would be " +
                                                        std::to_string(out_height()) + "x" +
                                                        std::to_string(out_width()) + " for input " +
                                                        std::to_string(in_height) + "x" + std::to_string(in_width));
}

namespace {

using conv2d_cpu_detail::block_at;
using conv2d_cpu_detail::block_count;
using conv2d_cpu_detail::ColumnBlock;
using conv2d_cpu_detail::Lowering;

// Each thread's share of the workspace: a lowered block, a gathered output (or output gradient) block and a
// private weight gradient. Shared: the weight restricted to the kept taps, when a tap is left out.
std::size_t per_thread_floats(const Lowering& lowering) {
  return static_cast<std::size_t>(lowering.rows * lowering.block_columns +
                                  lowering.shape.out_channels * lowering.block_columns +
                                  lowering.kept_weight_elements());
}

std::size_t shared_floats(const Lowering& lowering) {
  return lowering.all_taps ? 0 : static_cast<std::size_t>(lowering.kept_weight_elements());
}

// Threads the workspace pays for, capped by OpenMP's limit and by the work there is.
int usable_threads(const Lowering& lowering, std::size_t workspace_floats, int work_items, const char* pass) {
  const std::size_t each = per_thread_floats(lowering), shared = shared_floats(lowering);
  const std::size_t affordable = workspace_floats < shared + each ? 0 : (workspace_floats - shared) / each;
  GENINT_CHECK(affordable >= 1, std::string("conv2d ") + pass + ": workspace of " + std::to_string(workspace_floats) +
                                    " floats is smaller than one thread's " + std::to_string(shared + each) +
                                    " (size it with conv2d_cpu_workspace_floats)");
  const std::size_t cap = static_cast<std::size_t>(std::max(1, std::min(work_items, cpu_conv_threads())));
  return static_cast<int>(std::min(affordable, cap));
}

struct ThreadSpace {
  float* lowered;   // rows × block_columns
  float* gathered;  // out_channels × block_columns
  float* weight;    // a private weight gradient over the kept taps
};

ThreadSpace thread_space(const Lowering& lowering, float* workspace, int thread) {
  float* base = workspace + shared_floats(lowering) + per_thread_floats(lowering) * static_cast<std::size_t>(thread);
  ThreadSpace space{base, nullptr, nullptr};
  space.gathered = space.lowered + lowering.rows * lowering.block_columns;
  space.weight = space.gathered + lowering.shape.out_channels * lowering.block_columns;
  return space;
}

// The weight over the kept taps: the caller's own when no tap is left out, else a copy in the shared workspace.
const float* kept_weight(const Lowering& lowering, const float* weight, float* workspace) {
  if (lowering.all_taps) return weight;
  conv2d_cpu_detail::keep_taps(lowering, weight, workspace);
  return workspace;
}

// A view of a block's columns in a [channels × ...] matrix: its first element and leading dimension.
struct MatrixView {
  float* data;
  std::int64_t stride;
};

// The block's columns of an NCHW tensor with `channels` planes of `plane` values: in place when the block is (part
// of) one image, else gathered into `scratch` when `gather` (else `scratch` is returned for the caller to fill).
MatrixView block_view(const Lowering& lowering, const ColumnBlock& block, const float* tensor, int channels,
                      std::int64_t plane, float* scratch, bool gather) {
  if (lowering.in_place(block)) {
    const std::int64_t offset = static_cast<std::int64_t>(block.first_image) * channels * plane +
                                static_cast<std::int64_t>(block.first_row) * lowering.out_width;
    return {const_cast<float*>(tensor) + offset, plane};  // the caller writes only through views of its outputs
  }
  if (gather) conv2d_cpu_detail::gather_planes(tensor, channels, plane, block, scratch);
  return {scratch, lowering.columns(block)};
}

// The block's lowered input: the image itself for an in-place 1×1/1 block, else lowered into `scratch`.
MatrixView lowered_input(const Lowering& lowering, const ColumnBlock& block, const float* input, float* scratch) {
  if (lowering.identity)
    return block_view(lowering, block, input, lowering.shape.in_channels, lowering.in_plane, scratch, true);
  conv2d_cpu_detail::lower_block(lowering, block, input, scratch);
  return {scratch, lowering.columns(block)};
}

void forward_block(const Lowering& lowering, const ColumnBlock& block, const float* input, const float* weight,
                   const float* bias, float* output, const ThreadSpace& space) {
  const Conv2dShape& s = lowering.shape;
  const int columns = static_cast<int>(lowering.columns(block));
  const MatrixView source = lowered_input(lowering, block, input, space.lowered);
  const MatrixView result = block_view(lowering, block, output, s.out_channels, lowering.pixels, space.gathered, false);
  const int group_rows = static_cast<int>(lowering.group_rows);
  for (int group = 0; group < s.groups; ++group) {
    gemm_cpu(false, false, lowering.out_per_group, columns, group_rows, 1.0f,
             weight + group * lowering.out_per_group * lowering.group_rows, group_rows,
             source.data + group * lowering.group_rows * source.stride, static_cast<int>(source.stride), 0.0f,
             result.data + group * lowering.out_per_group * result.stride, static_cast<int>(result.stride));
  }
  if (bias != nullptr) {
    for (int channel = 0; channel < s.out_channels; ++channel) {
      float* values = result.data + channel * result.stride;
      for (int column = 0; column < columns; ++column) values[column] += bias[channel];
    }
  }
  if (!lowering.in_place(block))
    conv2d_cpu_detail::scatter_planes(space.gathered, s.out_channels, lowering.pixels, block, output);
}

// The input gradient of the images in `block`'s image(s), which the caller zeroed; several row blocks of one image
// add into overlapping input rows, so one thread handles all of an image's blocks.
void backward_data_block(const Lowering& lowering, const ColumnBlock& block, const float* output_grad,
                         const float* weight, float* input_grad, const ThreadSpace& space) {
  const Conv2dShape& s = lowering.shape;
  const int columns = static_cast<int>(lowering.columns(block));
  const MatrixView gradient =
      block_view(lowering, block, output_grad, s.out_channels, lowering.pixels, space.gathered, true);
  // A 1×1/1 convolution's lowered gradient is the input gradient itself: written in place or scattered.
  const MatrixView lowered = lowering.identity ? block_view(lowering, block, input_grad, s.in_channels,
                                                            lowering.in_plane, space.lowered, false)
                                               : MatrixView{space.lowered, columns};
  const int group_rows = static_cast<int>(lowering.group_rows);
  for (int group = 0; group < s.groups; ++group) {
    gemm_cpu(true, false, group_rows, columns, lowering.out_per_group, 1.0f,
             weight + group * lowering.out_per_group * lowering.group_rows, group_rows,
             gradient.data + group * lowering.out_per_group * gradient.stride, static_cast<int>(gradient.stride), 0.0f,
             lowered.data + group * lowering.group_rows * lowered.stride, static_cast<int>(lowered.stride));
  }
  if (!lowering.identity)
    conv2d_cpu_detail::lower_block_adjoint(lowering, block, space.lowered, input_grad);
  else if (!lowering.in_place(block))
    conv2d_cpu_detail::scatter_planes(space.lowered, s.in_channels, lowering.in_plane, block, input_grad);
}

// Adds the block's share of the weight gradient (over the kept taps) into `partial`; `first` overwrites it.
void backward_weight_block(const Lowering& lowering, const ColumnBlock& block, const float* input,
                           const float* output_grad, float* partial, bool first, const ThreadSpace& space) {
  const Conv2dShape& s = lowering.shape;
  const int columns = static_cast<int>(lowering.columns(block));
  const MatrixView source = lowered_input(lowering, block, input, space.lowered);
  const MatrixView gradient =
      block_view(lowering, block, output_grad, s.out_channels, lowering.pixels, space.gathered, true);
  const int group_rows = static_cast<int>(lowering.group_rows);
  for (int group = 0; group < s.groups; ++group) {
    gemm_cpu(false, true, lowering.out_per_group, group_rows, columns, 1.0f,
             gradient.data + group * lowering.out_per_group * gradient.stride, static_cast<int>(gradient.stride),
             source.data + group * lowering.group_rows * source.stride, static_cast<int>(source.stride),
             first ? 0.0f : 1.0f, partial + group * lowering.out_per_group * lowering.group_rows, group_rows);
  }
}

// Stride 1, one group, a kernel wider than 1×1: the input gradient is the forward convolution of the output
// gradient with the kernel flipped and its channel axes swapped, padded by dilation·(kernel − 1) − pad (which must
// not be negative). That is one lowering by copies and one GEMM per block instead of a GEMM and a scatter-add.
bool data_as_forward(const Conv2dShape& shape) {
  return shape.stride_height == 1 && shape.stride_width == 1 && shape.groups == 1 &&
         shape.kernel_height * shape.kernel_width > 1 &&
         shape.dilation_height * (shape.kernel_height - 1) >= shape.pad_height &&
         shape.dilation_width * (shape.kernel_width - 1) >= shape.pad_width;
}

Conv2dShape flipped_shape(const Conv2dShape& shape) {
  Conv2dShape flipped = shape;
  flipped.in_channels = shape.out_channels;
  flipped.out_channels = shape.in_channels;
  flipped.in_height = shape.out_height();
  flipped.in_width = shape.out_width();
  flipped.pad_height = shape.dilation_height * (shape.kernel_height - 1) - shape.pad_height;
  flipped.pad_width = shape.dilation_width * (shape.kernel_width - 1) - shape.pad_width;
  return flipped;
}

// flipped[in][out][row][column] = weight[out][in][kernel_height − 1 − row][kernel_width − 1 − column].
void flip_weight(const Conv2dShape& shape, const float* weight, float* flipped) {
  const int taps = shape.kernel_height * shape.kernel_width;
  for (int out = 0; out < shape.out_channels; ++out)
    for (int in = 0; in < shape.in_channels; ++in) {
      const float* source = weight + (static_cast<std::int64_t>(out) * shape.in_channels + in) * taps;
      float* destination = flipped + (static_cast<std::int64_t>(in) * shape.out_channels + out) * taps;
      for (int tap = 0; tap < taps; ++tap) destination[tap] = source[taps - 1 - tap];
    }
}

// Floats the lowering passes of `shape` need on `threads` threads.
std::size_t lowered_workspace_floats(const Conv2dShape& shape, int threads) {
  const Lowering lowering = conv2d_cpu_detail::make_lowering(shape);
  return shared_floats(lowering) + per_thread_floats(lowering) * static_cast<std::size_t>(threads);
}

// Floats before the flipped convolution's own workspace: the flipped weight, rounded up to 16 floats (64 bytes).
std::size_t flipped_weight_floats(const Conv2dShape& shape) {
  return (static_cast<std::size_t>(shape.weight_elements()) + 15) / 16 * 16;
}

}  // namespace

std::size_t conv2d_im2col::workspace_floats(const Conv2dShape& shape, int threads) {
  const std::size_t own = lowered_workspace_floats(shape, threads);
  if (!data_as_forward(shape)) return own;
  // The backward data pass runs the flipped shape's forward, which needs only its own lowering's floats.
  return std::max(own, flipped_weight_floats(shape) + lowered_workspace_floats(flipped_shape(shape), threads));
}

namespace {

void forward_lowered(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                     float* output, float* workspace, std::size_t workspace_floats) {
  const Lowering lowering = conv2d_cpu_detail::make_lowering(shape);
  const int threads = usable_threads(lowering, workspace_floats, block_count(lowering, cpu_conv_threads()), "forward");
  const float* kept = kept_weight(lowering, weight, workspace);
  const int blocks = block_count(lowering, threads);
  hold_openblas_at_one_thread();
#pragma omp parallel num_threads(threads)
  {
    const ThreadSpace space = thread_space(lowering, workspace, omp_get_thread_num());
#pragma omp for schedule(static)
    for (int index = 0; index < blocks; ++index)
      forward_block(lowering, block_at(lowering, threads, index), input, kept, bias, output, space);
  }
}

// Every pass asks for at least one thread's share of the workspace all three passes are sized for.
void check_workspace(const Conv2dShape& shape, std::size_t workspace_floats, const char* pass) {
  const std::size_t needed = conv2d_im2col::workspace_floats(shape, 1);
  GENINT_CHECK(workspace_floats >= needed, std::string("conv2d ") + pass + ": workspace of " +
                                               std::to_string(workspace_floats) + " floats is smaller than one " +
                                               "thread's " + std::to_string(needed) +
                                               " (size it with conv2d_cpu_workspace_floats)");
}

}  // namespace

void conv2d_im2col::forward(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                            float* output, float* workspace, std::size_t workspace_floats) {
  check_workspace(shape, workspace_floats, "forward");  // validates the shape
  forward_lowered(shape, input, weight, bias, output, workspace, workspace_floats);
}

void conv2d_im2col::backward_data(const Conv2dShape& shape, const float* output_grad, const float* weight,
                                  float* input_grad, float* workspace, std::size_t workspace_floats) {
  check_workspace(shape, workspace_floats, "backward data");
  if (data_as_forward(shape)) {
    const std::size_t flipped_floats = flipped_weight_floats(shape);
    flip_weight(shape, weight, workspace);
    return forward_lowered(flipped_shape(shape), output_grad, workspace, nullptr, input_grad,
                           workspace + flipped_floats, workspace_floats - flipped_floats);
  }
  const Lowering lowering = conv2d_cpu_detail::make_lowering(shape);
  // Work comes in images (all row blocks of an image on one thread) or in multi-image blocks.
  const int units_for_max = lowering.block_images == 1 ? shape.batch : block_count(lowering, cpu_conv_threads());
  const int threads = usable_threads(lowering, workspace_floats, units_for_max, "backward data");
  const float* kept = kept_weight(lowering, weight, workspace);
  const int blocks = block_count(lowering, threads);
  const int blocks_per_unit = lowering.block_images == 1 ? blocks / std::max(shape.batch, 1) : 1;
  const int units = lowering.block_images == 1 ? shape.batch : blocks;
  const std::int64_t input_image = static_cast<std::int64_t>(shape.in_channels) * lowering.in_plane;
  hold_openblas_at_one_thread();
#pragma omp parallel num_threads(threads)
  {
    const ThreadSpace space = thread_space(lowering, workspace, omp_get_thread_num());
#pragma omp for schedule(static)
    for (int unit = 0; unit < units; ++unit) {
      const ColumnBlock first = block_at(lowering, threads, unit * blocks_per_unit);
      if (!lowering.identity) {  // the adjoint of lowering adds into the input gradient
        float* images = input_grad + first.first_image * input_image;
        std::fill(images, images + first.image_count * input_image, 0.0f);
      }
      for (int index = 0; index < blocks_per_unit; ++index)
        backward_data_block(lowering, block_at(lowering, threads, unit * blocks_per_unit + index), output_grad, kept,
                            input_grad, space);
    }
  }
}

void conv2d_im2col::backward_weight(const Conv2dShape& shape, const float* input, const float* output_grad,
                                    float* weight_grad, float* bias_grad, float* workspace,
                                    std::size_t workspace_floats) {
  check_workspace(shape, workspace_floats, "backward weight");
  const Lowering lowering = conv2d_cpu_detail::make_lowering(shape);
  const int threads =
      usable_threads(lowering, workspace_floats, block_count(lowering, cpu_conv_threads()), "backward weight");
  const int blocks = block_count(lowering, threads);
  const std::int64_t kept_count = lowering.kept_weight_elements();
  // Thread 0 sums straight into the result (the weight gradient, or the shared kept-tap copy when taps are left
  // out); the others into private partials, added in thread order so the result does not depend on scheduling.
  float* total = lowering.all_taps ? weight_grad : workspace;
  hold_openblas_at_one_thread();
#pragma omp parallel num_threads(threads)
  {
    const int thread = omp_get_thread_num();
    const ThreadSpace space = thread_space(lowering, workspace, thread);
    float* partial = thread == 0 ? total : space.weight;
    bool first = true;
#pragma omp for schedule(static)
    for (int index = 0; index < blocks; ++index) {
      backward_weight_block(lowering, block_at(lowering, threads, index), input, output_grad, partial, first, space);
      first = false;
    }
    if (first) std::fill(partial, partial + kept_count, 0.0f);  // this thread got no block
  }
  for (int thread = 1; thread < threads; ++thread) {
    const float* partial = thread_space(lowering, workspace, thread).weight;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::int64_t index = 0; index < kept_count; ++index) total[index] += partial[index];
  }
  if (!lowering.all_taps) conv2d_cpu_detail::expand_taps(lowering, total, weight_grad);
  if (bias_grad != nullptr) conv2d_bias_grad_cpu(shape, output_grad, bias_grad);
}

void conv2d_bias_grad_cpu(const Conv2dShape& shape, const float* output_grad, float* bias_grad) {
  const std::int64_t plane = static_cast<std::int64_t>(shape.out_height()) * shape.out_width();
  for (std::int64_t channel = 0; channel < shape.out_channels; ++channel) {
    double sum = 0.0;
    for (std::int64_t image = 0; image < shape.batch; ++image) {
      const float* values = output_grad + (image * shape.out_channels + channel) * plane;
      for (std::int64_t index = 0; index < plane; ++index) sum += values[index];
    }
    bias_grad[channel] = static_cast<float>(sum);
  }
}

}  // namespace genint
