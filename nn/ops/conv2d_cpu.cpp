// CPU conv2d: per image, im2col into a per-thread buffer, then one sgemm per group; OpenMP over the batch.
// It is the reference the cuDNN path and the goldens are checked against.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/conv2d.h"
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

struct Im2colSizes {
  std::int64_t rows;        // in_channels · kernel_height · kernel_width
  std::int64_t columns;     // out_height · out_width
  std::int64_t group_rows;  // rows of one group
  int out_per_group;        // out_channels / groups
};

Im2colSizes im2col_sizes(const Conv2dShape& shape) {
  Im2colSizes sizes{};
  sizes.rows = static_cast<std::int64_t>(shape.in_channels) * shape.kernel_height * shape.kernel_width;
  sizes.columns = static_cast<std::int64_t>(shape.out_height()) * shape.out_width();
  sizes.group_rows = sizes.rows / shape.groups;
  sizes.out_per_group = shape.out_channels / shape.groups;
  return sizes;
}

// A 1×1, stride-1, unpadded convolution's im2col matrix is the image itself: no copy needed.
bool im2col_is_identity(const Conv2dShape& shape) {
  return shape.kernel_height == 1 && shape.kernel_width == 1 && shape.stride_height == 1 && shape.stride_width == 1 &&
         shape.pad_height == 0 && shape.pad_width == 0;
}

// Row (channel, kernel_row, kernel_column), column (out_row, out_column) = the input pixel that kernel tap sees.
void im2col(const Conv2dShape& shape, const float* image, float* columns) {
  const int out_height = shape.out_height(), out_width = shape.out_width();
  for (int channel = 0; channel < shape.in_channels; ++channel) {
    const float* plane = image + static_cast<std::int64_t>(channel) * shape.in_height * shape.in_width;
    for (int kernel_row = 0; kernel_row < shape.kernel_height; ++kernel_row) {
      for (int kernel_column = 0; kernel_column < shape.kernel_width; ++kernel_column) {
        for (int out_row = 0; out_row < out_height; ++out_row) {
          const int in_row = out_row * shape.stride_height - shape.pad_height + kernel_row * shape.dilation_height;
          float* destination = columns + static_cast<std::int64_t>(out_row) * out_width;
          if (in_row < 0 || in_row >= shape.in_height) {
            std::fill(destination, destination + out_width, 0.0f);
            continue;
          }
          const float* source_row = plane + static_cast<std::int64_t>(in_row) * shape.in_width;
          for (int out_column = 0; out_column < out_width; ++out_column) {
            const int in_column =
                out_column * shape.stride_width - shape.pad_width + kernel_column * shape.dilation_width;
            destination[out_column] = (in_column >= 0 && in_column < shape.in_width) ? source_row[in_column] : 0.0f;
          }
        }
        columns += static_cast<std::int64_t>(out_height) * out_width;
      }
    }
  }
}

// The adjoint of im2col: every column entry is added back onto the input pixel it was copied from.
void col2im_accumulate(const Conv2dShape& shape, const float* columns, float* image) {
  const int out_height = shape.out_height(), out_width = shape.out_width();
  for (int channel = 0; channel < shape.in_channels; ++channel) {
    float* plane = image + static_cast<std::int64_t>(channel) * shape.in_height * shape.in_width;
    for (int kernel_row = 0; kernel_row < shape.kernel_height; ++kernel_row) {
      for (int kernel_column = 0; kernel_column < shape.kernel_width; ++kernel_column) {
        for (int out_row = 0; out_row < out_height; ++out_row) {
          const int in_row = out_row * shape.stride_height - shape.pad_height + kernel_row * shape.dilation_height;
          const float* source = columns + static_cast<std::int64_t>(out_row) * out_width;
          if (in_row < 0 || in_row >= shape.in_height) continue;
          float* destination_row = plane + static_cast<std::int64_t>(in_row) * shape.in_width;
          for (int out_column = 0; out_column < out_width; ++out_column) {
            const int in_column =
                out_column * shape.stride_width - shape.pad_width + kernel_column * shape.dilation_width;
            if (in_column >= 0 && in_column < shape.in_width) destination_row[in_column] += source[out_column];
          }
        }
        columns += static_cast<std::int64_t>(out_height) * out_width;
      }
    }
  }
}

std::size_t per_thread_floats(const Conv2dShape& shape) {
  const Im2colSizes sizes = im2col_sizes(shape);
  return static_cast<std::size_t>(sizes.rows * sizes.columns + shape.weight_elements());
}

// Threads the workspace pays for, capped by the batch and by OpenMP's limit.
int usable_threads(const Conv2dShape& shape, std::size_t workspace_floats, const char* pass) {
  const std::size_t each = per_thread_floats(shape);
  const std::size_t affordable = workspace_floats / each;
  GENINT_CHECK(affordable >= 1, std::string("conv2d ") + pass + ": workspace of " + std::to_string(workspace_floats) +
                                    " floats is smaller than one thread's " + std::to_string(each) +
                                    " (size it with conv2d_cpu_workspace_floats)");
  const std::size_t cap = static_cast<std::size_t>(std::max(1, std::min(shape.batch, omp_get_max_threads())));
  return static_cast<int>(std::min(affordable, cap));
}

}  // namespace

std::size_t conv2d_cpu_workspace_floats(const Conv2dShape& shape, int threads) {
  shape.validate();
  GENINT_CHECK(threads > 0, "conv2d_cpu_workspace_floats: threads=" + std::to_string(threads));
  return per_thread_floats(shape) * static_cast<std::size_t>(threads);
}

void conv2d_forward_cpu(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                        float* output, float* workspace, std::size_t workspace_floats) {
  shape.validate();
  const Im2colSizes sizes = im2col_sizes(shape);
  const int threads = usable_threads(shape, workspace_floats, "forward");
  const std::int64_t input_image = static_cast<std::int64_t>(shape.in_channels) * shape.in_height * shape.in_width;
  const std::int64_t output_image = static_cast<std::int64_t>(shape.out_channels) * sizes.columns;
  const SingleThreadedBlasScope blas_scope;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int image = 0; image < shape.batch; ++image) {
    float* columns = workspace + per_thread_floats(shape) * static_cast<std::size_t>(omp_get_thread_num());
    const float* source = input + image * input_image;
    const float* image_columns = source;
    if (!im2col_is_identity(shape)) {
      im2col(shape, source, columns);
      image_columns = columns;
    }
    float* destination = output + image * output_image;
    for (int group = 0; group < shape.groups; ++group) {
      gemm_cpu(false, false, sizes.out_per_group, static_cast<int>(sizes.columns), static_cast<int>(sizes.group_rows),
               1.0f, weight + group * sizes.out_per_group * sizes.group_rows, static_cast<int>(sizes.group_rows),
               image_columns + group * sizes.group_rows * sizes.columns, static_cast<int>(sizes.columns), 0.0f,
               destination + group * sizes.out_per_group * sizes.columns, static_cast<int>(sizes.columns));
    }
    if (bias == nullptr) continue;
    for (int channel = 0; channel < shape.out_channels; ++channel) {
      float* plane = destination + channel * sizes.columns;
      for (std::int64_t pixel = 0; pixel < sizes.columns; ++pixel) plane[pixel] += bias[channel];
    }
  }
}

void conv2d_backward_data_cpu(const Conv2dShape& shape, const float* output_grad, const float* weight,
                              float* input_grad, float* workspace, std::size_t workspace_floats) {
  shape.validate();
  const Im2colSizes sizes = im2col_sizes(shape);
  const int threads = usable_threads(shape, workspace_floats, "backward data");
  const std::int64_t input_image = static_cast<std::int64_t>(shape.in_channels) * shape.in_height * shape.in_width;
  const std::int64_t output_image = static_cast<std::int64_t>(shape.out_channels) * sizes.columns;
  const bool identity = im2col_is_identity(shape);
  const SingleThreadedBlasScope blas_scope;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int image = 0; image < shape.batch; ++image) {
    float* destination = input_grad + image * input_image;
    // For a 1×1/1 convolution the column gradient is the input gradient: the gemm writes it in place.
    float* columns =
        identity ? destination : workspace + per_thread_floats(shape) * static_cast<std::size_t>(omp_get_thread_num());
    const float* source = output_grad + image * output_image;
    for (int group = 0; group < shape.groups; ++group) {
      gemm_cpu(true, false, static_cast<int>(sizes.group_rows), static_cast<int>(sizes.columns), sizes.out_per_group,
               1.0f, weight + group * sizes.out_per_group * sizes.group_rows, static_cast<int>(sizes.group_rows),
               source + group * sizes.out_per_group * sizes.columns, static_cast<int>(sizes.columns), 0.0f,
               columns + group * sizes.group_rows * sizes.columns, static_cast<int>(sizes.columns));
    }
    if (identity) continue;
    std::fill(destination, destination + input_image, 0.0f);
    col2im_accumulate(shape, columns, destination);
  }
}

void conv2d_backward_weight_cpu(const Conv2dShape& shape, const float* input, const float* output_grad,
                                float* weight_grad, float* bias_grad, float* workspace, std::size_t workspace_floats) {
  shape.validate();
  const Im2colSizes sizes = im2col_sizes(shape);
  const int threads = usable_threads(shape, workspace_floats, "backward weight");
  const std::int64_t input_image = static_cast<std::int64_t>(shape.in_channels) * shape.in_height * shape.in_width;
  const std::int64_t output_image = static_cast<std::int64_t>(shape.out_channels) * sizes.columns;
  const std::int64_t weight_count = shape.weight_elements();
  const std::size_t each = per_thread_floats(shape);
  const SingleThreadedBlasScope blas_scope;
#pragma omp parallel num_threads(threads)
  {
    const int thread = omp_get_thread_num();
    float* columns = workspace + each * static_cast<std::size_t>(thread);
    float* partial = columns + sizes.rows * sizes.columns;  // this thread's private weight gradient
    std::fill(partial, partial + weight_count, 0.0f);
#pragma omp for schedule(static)
    for (int image = 0; image < shape.batch; ++image) {
      const float* source = input + image * input_image;
      const float* image_columns = source;
      if (!im2col_is_identity(shape)) {
        im2col(shape, source, columns);
        image_columns = columns;
      }
      const float* gradient = output_grad + image * output_image;
      for (int group = 0; group < shape.groups; ++group) {
        gemm_cpu(false, true, sizes.out_per_group, static_cast<int>(sizes.group_rows), static_cast<int>(sizes.columns),
                 1.0f, gradient + group * sizes.out_per_group * sizes.columns, static_cast<int>(sizes.columns),
                 image_columns + group * sizes.group_rows * sizes.columns, static_cast<int>(sizes.columns), 1.0f,
                 partial + group * sizes.out_per_group * sizes.group_rows, static_cast<int>(sizes.group_rows));
      }
    }
  }
  // Sum the partials in thread order, so the result does not depend on scheduling.
  std::fill(weight_grad, weight_grad + weight_count, 0.0f);
  for (int thread = 0; thread < threads; ++thread) {
    const float* partial = workspace + each * static_cast<std::size_t>(thread) + sizes.rows * sizes.columns;
    for (std::int64_t index = 0; index < weight_count; ++index) weight_grad[index] += partial[index];
  }
  if (bias_grad == nullptr) return;
  for (int channel = 0; channel < shape.out_channels; ++channel) {
    double sum = 0.0;  // batch·H·W terms: accumulate in double so large maps lose nothing
    for (int image = 0; image < shape.batch; ++image) {
      const float* plane = output_grad + image * output_image + channel * sizes.columns;
      for (std::int64_t pixel = 0; pixel < sizes.columns; ++pixel) sum += plane[pixel];
    }
    bias_grad[channel] = static_cast<float>(sum);
  }
}

}  // namespace genint
