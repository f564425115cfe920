// A set of GANSpace directions and the self-describing safetensors file that stores it: latent and activation
// directions, per-component stdevs, means, explained variance, and how they were made (generator, layer, N…).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace genint {

enum class DirectionMethod { Pca, ClosedForm };
const char* direction_method_name(DirectionMethod method);  // "pca" | "closed_form"

struct DirectionSet {
  // Provenance, stored as __metadata__.
  std::string generator_id;  // which weights: see biggan_generator_id()
  std::string layer;         // the activation the PCA ran on, e.g. "generator.gen_z"
  DirectionMethod method = DirectionMethod::Pca;
  std::vector<int> classes;   // classes whose samples (or, closed form, whose activation mean) were used
  std::uint64_t samples = 0;  // PCA pass samples (0 for the closed form)
  std::uint64_t regression_samples = 0;
  std::uint64_t seed = 0;
  double truncation = 1.0;
  double total_variance = 0.0;  // sum of per-feature variances: explained_variance / total_variance = ratio

  int components = 0;                        // K
  int latent_dimension = 0;                  // z_dim
  int activation_dimension = 0;              // D
  std::vector<float> latent_directions;      // [K, z_dim], unit rows
  std::vector<float> latent_stdevs;          // [K]: GANSpace's lat_stdev, 1 in z space
  std::vector<float> latent_mean;            // [z_dim]
  std::vector<float> activation_directions;  // [K, D], unit rows
  std::vector<float> stdevs;                 // [K]: stdev of the activations projected on each direction
  std::vector<float> mean;                   // [D]: activation mean
  std::vector<float> explained_variance;     // [K]: stdevs², descending

  // Throws genint::Error naming `source` and the field that is inconsistent (sizes, non-unit rows,
  // negative or unsorted variances, non-finite values, an empty layer or class list).
  void validate(const std::string& source) const;

  const float* latent_direction(int component) const;
  const float* activation_direction(int component) const;

  // Validates, then writes atomically (io::SafetensorsWriter::write_file).
  void write(const std::string& path) const;
  // Reads and validates a file written by write(); errors name the path and the missing or wrong entry.
  static DirectionSet read(const std::string& path);
};

// The metadata "format" value of a directions file.
constexpr const char* kDirectionFileFormat = "genint-directions";

// "<file name>:fnv1a64:<16 hex digits of the FNV-1a hash of the whole file>": identifies converted weights
// independently of where they are stored. Throws genint::Error naming the path if it cannot be read.
std::string biggan_generator_id(const std::string& weights_path);

}  // namespace genint
