// Directions files: exact round trip of every tensor and metadata field, and refusal of files that lie
// (wrong format, missing or misshaped tensors, non-unit directions, unsorted variance, bad metadata).
#include "gan/directions/direction_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_writer.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

DirectionSet small_set() {
  DirectionSet set;
  set.generator_id = "tiny.safetensors:fnv1a64:0123456789abcdef";
  set.layer = "generator.gen_z";
  set.method = DirectionMethod::Pca;
  set.classes = {3, 7};
  set.samples = 1000;
  set.regression_samples = 10000;
  set.seed = 18446744073709551615ULL;
  set.truncation = 0.7;
  set.total_variance = 12.25;
  set.components = 2;
  set.latent_dimension = 3;
  set.activation_dimension = 4;
  const float third = 1.0f / std::sqrt(3.0f);
  set.latent_directions = {1, 0, 0, third, third, third};
  set.latent_stdevs = {1, 1};
  set.latent_mean = {0.1f, -0.2f, 0.3f};
  set.activation_directions = {0, 1, 0, 0, 0.6f, 0, 0.8f, 0};
  set.stdevs = {2, 1.5f};
  set.mean = {1, 2, 3, 4};
  set.explained_variance = {4, 2.25f};
  return set;
}

TEST(DirectionSet, RoundTripsEveryField) {
  testing::TemporaryDirectory directory("directions_round_trip");
  const DirectionSet written = small_set();
  written.write(directory.file("d.safetensors"));
  const DirectionSet read = DirectionSet::read(directory.file("d.safetensors"));
  EXPECT_EQ(read.generator_id, written.generator_id);
  EXPECT_EQ(read.layer, written.layer);
  EXPECT_EQ(read.method, written.method);
  EXPECT_EQ(read.classes, written.classes);
  EXPECT_EQ(read.samples, written.samples);
  EXPECT_EQ(read.regression_samples, written.regression_samples);
  EXPECT_EQ(read.seed, written.seed);
  EXPECT_EQ(read.truncation, written.truncation);  // %.17g round-trips a double exactly
  EXPECT_EQ(read.total_variance, written.total_variance);
  EXPECT_EQ(read.latent_directions, written.latent_directions);
  EXPECT_EQ(read.activation_directions, written.activation_directions);
  EXPECT_EQ(read.latent_mean, written.latent_mean);
  EXPECT_EQ(read.mean, written.mean);
  EXPECT_EQ(read.stdevs, written.stdevs);
  EXPECT_EQ(read.latent_stdevs, written.latent_stdevs);
  EXPECT_EQ(read.explained_variance, written.explained_variance);
}

TEST(DirectionSet, ValidationNamesTheBadField) {
  DirectionSet set = small_set();
  set.activation_directions[0] = 0.5f;  // row 0 no longer unit
  try {
    set.validate("candidate");
    FAIL() << "a non-unit direction was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("activation_directions row 0"), std::string::npos) << error.what();
  }
  set = small_set();
  set.explained_variance = {1, 2};
  EXPECT_THROW(set.validate("candidate"), Error);
  set = small_set();
  set.mean.pop_back();
  EXPECT_THROW(set.validate("candidate"), Error);
  set = small_set();
  set.stdevs[1] = std::nanf("");
  EXPECT_THROW(set.validate("candidate"), Error);
  set = small_set();
  set.classes.clear();
  EXPECT_THROW(set.validate("candidate"), Error);
}

// Writes the tensors of small_set() with one thing changed, through the raw writer.
std::string write_altered(const testing::TemporaryDirectory& directory, const std::string& name,
                          const std::string& drop_tensor, const std::string& metadata_key,
                          const std::string& metadata_value) {
  const DirectionSet set = small_set();
  io::SafetensorsWriter writer;
  auto add = [&](const std::string& tensor, std::vector<std::uint64_t> shape, const std::vector<float>& values) {
    if (tensor != drop_tensor) writer.add(tensor, std::move(shape), values);
  };
  add("latent_directions", {2, 3}, set.latent_directions);
  add("latent_stdevs", {2}, set.latent_stdevs);
  add("latent_mean", {3}, set.latent_mean);
  add("activation_directions", {2, 4}, set.activation_directions);
  add("stdevs", {2}, set.stdevs);
  add("mean", drop_tensor == "mean:reshape" ? std::vector<std::uint64_t>{2, 2} : std::vector<std::uint64_t>{4},
      set.mean);
  add("explained_variance", {2}, set.explained_variance);
  const std::pair<std::string, std::string> metadata[] = {{"format", kDirectionFileFormat},
                                                          {"version", "1"},
                                                          {"generator_id", "g"},
                                                          {"layer", "generator.gen_z"},
                                                          {"method", "pca"},
                                                          {"components", "2"},
                                                          {"classes", "3,7"},
                                                          {"samples", "1000"},
                                                          {"regression_samples", "1000"},
                                                          {"seed", "1"},
                                                          {"truncation", "1"},
                                                          {"total_variance", "7"}};
  for (const auto& entry : metadata) {
    if (entry.first == metadata_key) {
      if (!metadata_value.empty()) writer.set_metadata(entry.first, metadata_value);
    } else {
      writer.set_metadata(entry.first, entry.second);
    }
  }
  const std::string path = directory.file(name);
  writer.write_file(path);
  return path;
}

TEST(DirectionSet, ReadRefusesLyingFiles) {
  testing::TemporaryDirectory directory("directions_hostile");
  EXPECT_NO_THROW(DirectionSet::read(write_altered(directory, "good", "", "", "")));
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "format", "", "format", "genint-biggan-deep")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "no_layer", "", "layer", "")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "method", "", "method", "svd")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "components", "", "components", "3")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "seed", "", "seed", "-1")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "classes", "", "classes", "3,,7")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "truncation", "", "truncation", "1.5")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "missing", "stdevs", "", "")), Error);
  EXPECT_THROW(DirectionSet::read(write_altered(directory, "reshaped", "mean:reshape", "", "")), Error);
  EXPECT_THROW(DirectionSet::read(directory.file("absent")), Error);
}

TEST(DirectionSet, GeneratorIdHashesTheFileContents) {
  testing::TemporaryDirectory directory("directions_id");
  small_set().write(directory.file("a.safetensors"));
  DirectionSet other = small_set();
  other.seed = 5;
  other.write(directory.file("b.safetensors"));
  const std::string first = biggan_generator_id(directory.file("a.safetensors"));
  EXPECT_EQ(first.rfind("a.safetensors:fnv1a64:", 0), 0u) << first;
  EXPECT_EQ(first, biggan_generator_id(directory.file("a.safetensors")));
  EXPECT_NE(first.substr(first.size() - 16),
            biggan_generator_id(directory.file("b.safetensors")).substr(first.size() - 16));
  EXPECT_THROW(biggan_generator_id(directory.file("absent")), Error);
}

}  // namespace
}  // namespace genint
