// BigGAN-deep's own ops on the CPU: the truth their CUDA twins (biggan_ops.cu) are held to.
#include <cstdint>

#include "gan/biggan/biggan_ops.h"

namespace genint {

void biggan_features_to_nchw_cpu(const float* features, int batch, int channels, int size, float* output) {
  const std::int64_t plane = static_cast<std::int64_t>(size) * size;
  for (std::int64_t image = 0; image < batch; ++image) {
    const float* source = features + image * plane * channels;
    float* destination = output + image * plane * channels;
    for (std::int64_t position = 0; position < plane; ++position) {
      for (std::int64_t channel = 0; channel < channels; ++channel) {
        destination[channel * plane + position] = source[position * channels + channel];
      }
    }
  }
}

void biggan_add_skip_cpu(const float* skip, const SkipShape& shape, float* output) {
  const int out_resolution = shape.skip_resolution * shape.factor;
  const std::int64_t skip_plane = static_cast<std::int64_t>(shape.skip_resolution) * shape.skip_resolution;
  const std::int64_t out_plane = static_cast<std::int64_t>(out_resolution) * out_resolution;
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.output_channels;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const std::int64_t image = plane / shape.output_channels, channel = plane % shape.output_channels;
    const float* source = skip + (image * shape.skip_channels + channel) * skip_plane;
    float* destination = output + plane * out_plane;
    for (int row = 0; row < out_resolution; ++row) {
      const float* source_row = source + static_cast<std::int64_t>(row / shape.factor) * shape.skip_resolution;
      float* destination_row = destination + static_cast<std::int64_t>(row) * out_resolution;
      for (int column = 0; column < out_resolution; ++column)
        destination_row[column] += source_row[column / shape.factor];
    }
  }
}

void biggan_add_scaled_cpu(const float* attention_out, float gamma, std::int64_t count, float* activations) {
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index)
    activations[index] = activations[index] + gamma * attention_out[index];
}

}  // namespace genint
