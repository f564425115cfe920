// BigGAN-deep's architecture description (pytorch-pretrained-biggan's BigGANConfig), read from the JSON that
// tools/convert_biggan.py stores in the weight file's __metadata__["config"], and the shapes it implies.
#pragma once

#include <string>
#include <vector>

namespace genint {

// One config.layers entry: a GenBlock from channel_width·in_multiplier to channel_width·out_multiplier channels.
struct BigGanLayerSpec {
  bool up_sample = false;
  int in_multiplier = 1;
  int out_multiplier = 1;
};

struct BigGanConfig {
  int output_dim = 0;
  int z_dim = 0;
  int channel_width = 0;
  int num_classes = 0;
  std::vector<BigGanLayerSpec> layers;
  // SelfAttn runs just before layers[attention_layer_position]; a position outside the list means none
  // (the reference's `if i == attention_layer_position` then never fires).
  int attention_layer_position = -1;
  float eps = 1e-4f;  // every batch norm's eps (the reference passes config.eps to all of them)
  int n_stats = 51;   // stored statistics sets, for truncations 0, 1/(n_stats-1), ..., 1

  // Parses and validates; errors name `source` (the file) and the offending key or layer. class_embed_dim, stored
  // by the reference but unused (its embedding is num_classes → z_dim), is not read.
  static BigGanConfig from_json(const std::string& json_text, const std::string& source);
  // Throws genint::Error unless the layers chain into a network the reference could run.
  void validate(const std::string& source) const;

  int block_count() const { return static_cast<int>(layers.size()); }
  // Per-layer latents (GANSpace): one for gen_z and one per GenBlock.
  int latent_count() const { return block_count() + 1; }
  int condition_dim() const { return 2 * z_dim; }
  // gen_z: condition → 4·4·16·channel_width features, laid out (height, width, channel) as in TF.
  int gen_z_features() const { return 4 * 4 * 16 * channel_width; }
  bool has_attention() const { return attention_layer_position >= 0 && attention_layer_position < block_count(); }
  // Index in the reference's generator.layers ModuleList: the attention module shifts later blocks by one.
  int module_index_of_block(int block) const;
  int block_in_channels(int block) const;
  int block_out_channels(int block) const;
  int block_middle_channels(int block) const;  // in / 4, the reference's reduction_factor
  int block_in_resolution(int block) const;    // height = width of the block's input
  int block_out_resolution(int block) const;
  int attention_channels() const;
  int attention_resolution() const;
};

// pytorch-pretrained-biggan's biggan-deep-256 config (output 256, z 128, channel width 128, 1000 classes,
// 12 GenBlocks, attention before block 8), for benchmarks without a weight file.
BigGanConfig biggan_deep_256_config();

}  // namespace genint
