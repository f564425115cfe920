// BigGAN-deep's weights as tools/convert_biggan.py writes them (float32 safetensors, spectral norm folded,
// reference parameter names), loaded with every name and shape checked against the config in the metadata.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gan/biggan/biggan_config.h"

namespace genint {
namespace io {
class SafetensorsFile;
}

struct BigGanConvWeights {
  int out_channels = 0, in_channels = 0, kernel = 1;
  std::vector<float> weight;  // [out, in, kernel, kernel]
  std::vector<float> bias;    // [out], empty when the layer has none
};

// A BigGANBatchNorm: the stored statistics and, when conditional, the two (bias-free) linear layers that map
// the condition vector to the per-sample gain (1 + scale) and bias (offset).
struct BigGanNormWeights {
  int channels = 0;
  std::vector<float> running_means;  // [n_stats, channels]
  std::vector<float> running_vars;   // [n_stats, channels]
  std::vector<float> scale;          // conditional: [channels, condition_dim]
  std::vector<float> offset;         // conditional: [channels, condition_dim]
  std::vector<float> weight;         // unconditional: [channels]
  std::vector<float> bias;           // unconditional: [channels]
};

struct BigGanBlockWeights {
  BigGanNormWeights norms[4];  // bn_0 .. bn_3
  BigGanConvWeights convs[4];  // conv_0 (1x1), conv_1 (3x3), conv_2 (3x3), conv_3 (1x1); all with bias
};

struct BigGanAttentionWeights {
  BigGanConvWeights theta, phi, g, o;  // 1x1, no bias
  float gamma = 0.0f;
};

struct BigGanWeights {
  BigGanConfig config;
  std::vector<float> embeddings;    // [z_dim, num_classes]: embeddings.weight, no bias
  std::vector<float> gen_z_weight;  // [gen_z_features, condition_dim]
  std::vector<float> gen_z_bias;    // [gen_z_features]
  std::vector<BigGanBlockWeights> blocks;
  BigGanAttentionWeights attention;  // meaningful only when config.has_attention()
  BigGanNormWeights final_norm;      // generator.bn, unconditional
  BigGanConvWeights to_rgb;          // generator.conv_to_rgb, its 3 used output channels

  // Opens a converted file; errors name the path and the missing, misshaped or unexpected tensor.
  static BigGanWeights load(const std::string& path);
  static BigGanWeights from_file(const io::SafetensorsFile& file);
};

// Weights of every shape `config` implies, filled from a seeded generator: uniform ±1/sqrt(fan_in) for convs
// and linears, small conditional gains, statistics sets with mean 0 and var 1 — activations stay bounded.
// For throughput measurement only: the images mean nothing.
BigGanWeights random_biggan_weights(const BigGanConfig& config, std::uint64_t seed);

// The metadata "format" value tools/convert_biggan.py writes.
constexpr const char* kBigGanWeightFormat = "genint-biggan-deep";

}  // namespace genint
