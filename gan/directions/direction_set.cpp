// Validation and the safetensors round trip of a DirectionSet; metadata values are decimal text (doubles
// with 17 significant digits) so a file is readable by any safetensors tool and round-trips exactly.
#include "gan/directions/direction_set.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "nn/core/error.h"
#include "nn/core/parse_number.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"

namespace genint {
namespace {

// Stored directions are unit vectors normalised in float64 then rounded to float32: each element moves by at
// most 2^-24 relative, so the norm stays within ~1e-7 of 1; 1e-4 also accepts files other tools rounded.
constexpr double kUnitNormTolerance = 1e-4;

std::string number_text(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string classes_text(const std::vector<int>& classes) {
  std::string text;
  for (std::size_t index = 0; index < classes.size(); ++index)
    text += (index ? "," : "") + std::to_string(classes[index]);
  return text;
}

void check_size(const std::string& source, const char* field, std::size_t actual, std::size_t expected) {
  GENINT_CHECK(actual == expected, source + ": directions field " + field + " has " + std::to_string(actual) +
                                       " values, expected " + std::to_string(expected));
}

void check_finite(const std::string& source, const char* field, const std::vector<float>& values) {
  for (std::size_t index = 0; index < values.size(); ++index) {
    GENINT_CHECK(std::isfinite(values[index]),
                 source + ": directions field " + field + " has a non-finite value at index " + std::to_string(index));
  }
}

void check_unit_rows(const std::string& source, const char* field, const std::vector<float>& rows, int count,
                     int width) {
  for (int row = 0; row < count; ++row) {
    double squares = 0.0;
    for (int column = 0; column < width; ++column) {
      const double value =
          rows[static_cast<std::size_t>(row) * static_cast<std::size_t>(width) + static_cast<std::size_t>(column)];
      squares += value * value;
    }
    GENINT_CHECK(std::fabs(std::sqrt(squares) - 1.0) <= kUnitNormTolerance,
                 source + ": directions field " + field + " row " + std::to_string(row) + " has norm " +
                     number_text(std::sqrt(squares)) + ", not 1");
  }
}

const std::string& metadata_value(const std::map<std::string, std::string>& metadata, const std::string& source,
                                  const std::string& key) {
  const auto found = metadata.find(key);
  GENINT_CHECK(found != metadata.end(), source + ": directions metadata lacks \"" + key + "\"");
  return found->second;
}

std::uint64_t parse_unsigned(const std::string& text, const std::string& source, const std::string& key) {
  const std::optional<std::uint64_t> value = genint::parse_unsigned(text);
  GENINT_CHECK(value.has_value(),
               source + ": directions metadata \"" + key + "\" is not an unsigned integer: \"" + text + "\"");
  return *value;
}

double parse_double(const std::string& text, const std::string& source, const std::string& key) {
  const std::optional<double> value = parse_finite_number(text);
  GENINT_CHECK(value.has_value(),
               source + ": directions metadata \"" + key + "\" is not a finite number: \"" + text + "\"");
  return *value;
}

std::vector<int> parse_classes(const std::string& text, const std::string& source) {
  std::vector<int> classes;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const std::uint64_t value = parse_unsigned(item, source, "classes");
    GENINT_CHECK(value <= 1u << 30, source + ": directions metadata \"classes\" holds an implausible class " + item);
    classes.push_back(static_cast<int>(value));
  }
  return classes;
}

int parse_count(const std::map<std::string, std::string>& metadata, const std::string& source, const std::string& key) {
  const std::uint64_t value = parse_unsigned(metadata_value(metadata, source, key), source, key);
  GENINT_CHECK(value >= 1 && value <= (1u << 30), source + ": directions metadata \"" + key + "\" is out of range");
  return static_cast<int>(value);
}

// The seven tensors in file order, each with its shape: one or two of the set's dimensions.
struct TensorField {
  const char* name;
  std::vector<float> DirectionSet::*values;
  int DirectionSet::*rows;
  int DirectionSet::*columns;  // nullptr for a 1-D tensor
};
constexpr TensorField kTensorFields[] = {
    {"latent_directions", &DirectionSet::latent_directions, &DirectionSet::components, &DirectionSet::latent_dimension},
    {"latent_stdevs", &DirectionSet::latent_stdevs, &DirectionSet::components, nullptr},
    {"latent_mean", &DirectionSet::latent_mean, &DirectionSet::latent_dimension, nullptr},
    {"activation_directions", &DirectionSet::activation_directions, &DirectionSet::components,
     &DirectionSet::activation_dimension},
    {"stdevs", &DirectionSet::stdevs, &DirectionSet::components, nullptr},
    {"mean", &DirectionSet::mean, &DirectionSet::activation_dimension, nullptr},
    {"explained_variance", &DirectionSet::explained_variance, &DirectionSet::components, nullptr}};

std::vector<std::uint64_t> tensor_shape(const DirectionSet& set, const TensorField& field) {
  std::vector<std::uint64_t> shape{static_cast<std::uint64_t>(set.*field.rows)};
  if (field.columns != nullptr) shape.push_back(static_cast<std::uint64_t>(set.*field.columns));
  return shape;
}

std::vector<float> read_tensor(const io::SafetensorsFile& file, const std::string& name,
                               const std::vector<std::uint64_t>& shape) {
  GENINT_CHECK(file.contains(name), file.source_name() + ": directions tensor " + name + " is missing");
  const io::SafetensorsTensor& tensor = file.tensor(name);
  GENINT_CHECK(tensor.dtype == io::SafetensorsDtype::F32, file.source_name() + ": directions tensor " + name +
                                                              " must be F32, is " +
                                                              io::safetensors_dtype_name(tensor.dtype));
  GENINT_CHECK(tensor.shape == shape, file.source_name() + ": directions tensor " + name + " has the wrong shape");
  return file.read<float>(name);
}

}  // namespace

const char* direction_method_name(DirectionMethod method) {
  return method == DirectionMethod::Pca ? "pca" : "closed_form";
}

void DirectionSet::validate(const std::string& source) const {
  GENINT_CHECK(components >= 1,
               source + ": directions need at least one component, have " + std::to_string(components));
  GENINT_CHECK(latent_dimension >= 1 && activation_dimension >= 1,
               source + ": directions have an empty latent or activation dimension");
  GENINT_CHECK(!layer.empty(), source + ": directions name no layer");
  GENINT_CHECK(!classes.empty(), source + ": directions name no class");
  for (int value : classes)
    GENINT_CHECK(value >= 0, source + ": directions name a negative class " + std::to_string(value));
  GENINT_CHECK(std::isfinite(truncation) && truncation > 0.0 && truncation <= 1.0,
               source + ": directions truncation " + number_text(truncation) + " is outside (0, 1]");
  for (const TensorField& field : kTensorFields)
    check_size(source, field.name, (this->*field.values).size(),
               static_cast<std::size_t>(this->*field.rows) * (field.columns ? this->*field.columns : 1));
  for (const TensorField& field : kTensorFields) check_finite(source, field.name, this->*field.values);
  check_unit_rows(source, "latent_directions", latent_directions, components, latent_dimension);
  check_unit_rows(source, "activation_directions", activation_directions, components, activation_dimension);
  for (std::size_t index = 0; index < static_cast<std::size_t>(components); ++index) {
    GENINT_CHECK(stdevs[index] >= 0.0f && latent_stdevs[index] >= 0.0f && explained_variance[index] >= 0.0f,
                 source + ": directions component " + std::to_string(index) + " has a negative stdev or variance");
    GENINT_CHECK(index == 0 || explained_variance[index] <= explained_variance[index - 1],
                 source + ": directions explained_variance is not descending at component " + std::to_string(index));
  }
  GENINT_CHECK(std::isfinite(total_variance) && total_variance >= 0.0,
               source + ": directions total_variance " + number_text(total_variance) + " is not a non-negative number");
}

const float* DirectionSet::latent_direction(int component) const {
  GENINT_CHECK(component >= 0 && component < components,
               "DirectionSet: no latent direction " + std::to_string(component));
  return latent_directions.data() + static_cast<std::size_t>(component) * static_cast<std::size_t>(latent_dimension);
}

const float* DirectionSet::activation_direction(int component) const {
  GENINT_CHECK(component >= 0 && component < components,
               "DirectionSet: no activation direction " + std::to_string(component));
  return activation_directions.data() +
         static_cast<std::size_t>(component) * static_cast<std::size_t>(activation_dimension);
}

void DirectionSet::write(const std::string& path) const {
  validate(path);
  io::SafetensorsWriter writer;
  for (const TensorField& field : kTensorFields)
    writer.add(field.name, tensor_shape(*this, field), this->*field.values);
  writer.set_metadata("format", kDirectionFileFormat);
  writer.set_metadata("version", "1");
  writer.set_metadata("generator_id", generator_id);
  writer.set_metadata("layer", layer);
  writer.set_metadata("method", direction_method_name(method));
  writer.set_metadata("components", std::to_string(components));
  writer.set_metadata("classes", classes_text(classes));
  writer.set_metadata("samples", std::to_string(samples));
  writer.set_metadata("regression_samples", std::to_string(regression_samples));
  writer.set_metadata("seed", std::to_string(seed));
  writer.set_metadata("truncation", number_text(truncation));
  writer.set_metadata("total_variance", number_text(total_variance));
  writer.write_file(path);
}

DirectionSet DirectionSet::read(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  const std::map<std::string, std::string>& metadata = file.metadata();
  GENINT_CHECK(metadata_value(metadata, path, "format") == kDirectionFileFormat,
               path + ": not a directions file (metadata format is not \"" + kDirectionFileFormat + "\")");
  GENINT_CHECK(metadata_value(metadata, path, "version") == "1",
               path + ": unknown directions file version \"" + metadata.at("version") + "\"");
  DirectionSet set;
  set.generator_id = metadata_value(metadata, path, "generator_id");
  set.layer = metadata_value(metadata, path, "layer");
  const std::string& method = metadata_value(metadata, path, "method");
  GENINT_CHECK(method == "pca" || method == "closed_form", path + ": unknown directions method \"" + method + "\"");
  set.method = method == "pca" ? DirectionMethod::Pca : DirectionMethod::ClosedForm;
  set.components = parse_count(metadata, path, "components");
  set.classes = parse_classes(metadata_value(metadata, path, "classes"), path);
  set.samples = parse_unsigned(metadata_value(metadata, path, "samples"), path, "samples");
  set.regression_samples =
      parse_unsigned(metadata_value(metadata, path, "regression_samples"), path, "regression_samples");
  set.seed = parse_unsigned(metadata_value(metadata, path, "seed"), path, "seed");
  set.truncation = parse_double(metadata_value(metadata, path, "truncation"), path, "truncation");
  set.total_variance = parse_double(metadata_value(metadata, path, "total_variance"), path, "total_variance");
  GENINT_CHECK(file.contains("latent_directions") && file.tensor("latent_directions").shape.size() == 2 &&
                   file.contains("activation_directions") && file.tensor("activation_directions").shape.size() == 2,
               path + ": directions file lacks the 2-D latent_directions or activation_directions tensor");
  const std::uint64_t latent = file.tensor("latent_directions").shape[1];
  const std::uint64_t activation = file.tensor("activation_directions").shape[1];
  GENINT_CHECK(latent >= 1 && latent <= (1u << 20) && activation >= 1 && activation <= (1u << 30),
               path + ": directions dimensions are out of range");
  set.latent_dimension = static_cast<int>(latent);
  set.activation_dimension = static_cast<int>(activation);
  for (const TensorField& field : kTensorFields)
    set.*field.values = read_tensor(file, field.name, tensor_shape(set, field));
  GENINT_CHECK(file.tensor_count() == std::size(kTensorFields),
               path + ": directions file holds tensors beyond the 7 it defines");
  set.validate(path);
  return set;
}

std::string biggan_generator_id(const std::string& weights_path) {
  std::ifstream stream(weights_path, std::ios::binary);
  GENINT_CHECK(stream.good(), "biggan_generator_id: cannot open " + weights_path);
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::vector<char> buffer(1 << 20);
  while (stream) {
    stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = stream.gcount();
    for (std::streamsize index = 0; index < got; ++index) {
      hash = (hash ^ static_cast<unsigned char>(buffer[static_cast<std::size_t>(index)])) * 0x100000001b3ULL;
    }
  }
  GENINT_CHECK(stream.eof(), "biggan_generator_id: error while reading " + weights_path);
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(hash));
  return std::filesystem::path(weights_path).filename().string() + ":fnv1a64:" + digits;
}

}  // namespace genint
