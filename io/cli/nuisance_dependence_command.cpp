// genint-data nuisance-dependence: how well (binned) hue and angle predict the label of a set of images, by
// fashion-scenes' own cross-validated majority-per-cell measure; from ground-truth records or read-out predictions.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/cli/data_command.h"
#include "io/scenes/confound_measure.h"
#include "io/scenes/scene_records.h"
#include "nn/core/parse_number.h"

namespace genint::data {
namespace {

struct DependenceOptions {
  std::string records, filelists_out, hue_predictions, angle_predictions, name;
  int classes = 0;  // 0: the largest label + 1
};

void declare_dependence(CommandSpec command, DependenceOptions& options) {
  OptionSpec records = command.text("--records", options.records,
                                    "a fashion-scenes CSV (file, label, hue, angle): ground-truth nuisances");
  command.text("--filelists-out", options.filelists_out, "also write DIR/hue.list and DIR/angle.list").needs(records);
  OptionSpec hue =
      command.text("--hue-predictions", options.hue_predictions, "the hue read-out's genint-eval predictions");
  OptionSpec angle =
      command.text("--angle-predictions", options.angle_predictions, "the angle read-out's genint-eval predictions");
  hue.needs(angle).excludes(records);
  angle.needs(hue).excludes(records);
  command.integer("--classes", options.classes, "number of labels", 1, std::numeric_limits<std::int32_t>::max())
      .default_text("the largest label + 1");
  command.text("--name", options.name, "copied into the output (e.g. 'interventional')");
  command.footer(
      "--filelists-out DIR: 'path bin' lines (absolute paths, bins of 30 degrees: 0..11) to train the nuisance\n"
      "read-outs. --hue-predictions, --angle-predictions: genint-eval --predictions-out files of the two read-outs\n"
      "on the same class-folder tree: the predicted bin is the nuisance, the tree's class the label; files are\n"
      "joined by name.\n"
      "Prints one JSON line: name, samples, classes and confound {hue_and_angle, hue_only, angle_only, chance}:\n"
      "the two-fold cross-validated accuracy of the majority label per cell of 30-degree bins, exactly as the\n"
      "fashion-scenes manifest's `confound` section (io/scenes/confound_measure.h).");
}

constexpr double bin_degrees = 360.0 / io::scenes::confound_bins;

// A predicted bin stands for its centre, which io::scenes::hue_bin and angle_bin put back into that same bin.
double hue_of_bin(int bin) {
  return (bin + 0.5) * bin_degrees;
}
double angle_of_bin(int bin) {
  return -180.0 + (bin + 0.5) * bin_degrees;
}

// A plain comma-separated table with a header row (fashion-scenes and genint-eval write no quoted fields).
struct CsvTable {
  std::string path;
  std::map<std::string, std::size_t> columns;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    const auto found = columns.find(name);
    if (found == columns.end()) throw Error(path + ": no column '" + name + "' in the header");
    return found->second;
  }
  double number(std::size_t row, std::size_t column_index) const {
    const std::string& text = rows[row][column_index];
    const std::optional<double> value = parse_finite_number(text);
    if (!value)
      throw Error(path + ": row " + std::to_string(row + 2) + " column " + std::to_string(column_index + 1) + ": '" +
                  text + "' is not a finite number");
    return *value;
  }
  int integer(std::size_t row, std::size_t column_index, int low, int high) const {
    const double value = number(row, column_index);
    if (value != std::floor(value) || value < low || value > high)
      throw Error(path + ": row " + std::to_string(row + 2) + ": '" + rows[row][column_index] +
                  "' is not an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
    return static_cast<int>(value);
  }
};

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

CsvTable read_csv(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(path + ": cannot open");
  CsvTable table;
  table.path = path;
  std::string line;
  if (!std::getline(file, line)) throw Error(path + ": empty, expected a header row");
  const std::vector<std::string> header = split_fields(line);
  for (std::size_t index = 0; index < header.size(); ++index) table.columns[header[index]] = index;
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    if (line.find('"') != std::string::npos) throw Error(path + ": quoted CSV fields are not supported");
    table.rows.push_back(split_fields(line));
    if (table.rows.back().size() != header.size())
      throw Error(path + ": row " + std::to_string(table.rows.size() + 1) + " has " +
                  std::to_string(table.rows.back().size()) + " fields, the header " + std::to_string(header.size()));
  }
  if (table.rows.empty()) throw Error(path + ": no rows");
  return table;
}

struct Readings {
  std::vector<double> hues, angles;
  std::vector<int> labels;
};

constexpr int max_label = 1'000'000;

Readings readings_from_records(const CsvTable& records) {
  const std::size_t label = records.column("label"), hue = records.column("hue"), angle = records.column("angle");
  Readings readings;
  for (std::size_t row = 0; row < records.rows.size(); ++row) {
    readings.labels.push_back(records.integer(row, label, 0, max_label));
    readings.hues.push_back(records.number(row, hue));
    readings.angles.push_back(records.number(row, angle));
  }
  return readings;
}

// Joins the two read-outs' predictions by file; both must cover the same files with the same labels.
Readings readings_from_predictions(const CsvTable& hue_table, const CsvTable& angle_table) {
  const std::size_t hue_file = hue_table.column("file"), hue_label = hue_table.column("label"),
                    hue_prediction = hue_table.column("prediction");
  const std::size_t angle_file = angle_table.column("file"), angle_label = angle_table.column("label"),
                    angle_prediction = angle_table.column("prediction");
  std::map<std::string, std::size_t> angle_row_of;
  for (std::size_t row = 0; row < angle_table.rows.size(); ++row) angle_row_of[angle_table.rows[row][angle_file]] = row;
  if (angle_row_of.size() != hue_table.rows.size())
    throw Error(hue_table.path + " and " + angle_table.path + " do not list the same files (" +
                std::to_string(hue_table.rows.size()) + " rows against " + std::to_string(angle_row_of.size()) +
                " distinct files)");
  const int last_bin = io::scenes::confound_bins - 1;
  Readings readings;
  for (std::size_t row = 0; row < hue_table.rows.size(); ++row) {
    const std::string& file = hue_table.rows[row][hue_file];
    const auto match = angle_row_of.find(file);
    if (match == angle_row_of.end()) throw Error(angle_table.path + ": no row for '" + file + "'");
    const int label = hue_table.integer(row, hue_label, 0, max_label);
    if (angle_table.integer(match->second, angle_label, 0, max_label) != label)
      throw Error("'" + file + "' has label " + std::to_string(label) + " in " + hue_table.path + " but another in " +
                  angle_table.path);
    readings.labels.push_back(label);
    readings.hues.push_back(hue_of_bin(hue_table.integer(row, hue_prediction, 0, last_bin)));
    readings.angles.push_back(angle_of_bin(angle_table.integer(match->second, angle_prediction, 0, last_bin)));
  }
  return readings;
}

// hue.list and angle.list for genint-train's file-list layout; paths are made absolute from the CSV's folder
// (fashion-scenes writes them relative to its output folder, where its CSVs are).
void write_filelists(const CsvTable& records, const std::string& folder) {
  std::filesystem::create_directories(folder);
  const std::filesystem::path base = std::filesystem::absolute(records.path).parent_path();
  const std::size_t file = records.column("file"), hue = records.column("hue"), angle = records.column("angle");
  std::ofstream hue_list(std::filesystem::path(folder) / "hue.list", std::ios::binary | std::ios::trunc);
  std::ofstream angle_list(std::filesystem::path(folder) / "angle.list", std::ios::binary | std::ios::trunc);
  for (std::size_t row = 0; row < records.rows.size(); ++row) {
    const std::string path = (base / records.rows[row][file]).lexically_normal().string();
    hue_list << path << ' ' << io::scenes::hue_bin(records.number(row, hue)) << '\n';
    angle_list << path << ' ' << io::scenes::angle_bin(records.number(row, angle)) << '\n';
  }
  if (!hue_list.good() || !angle_list.good()) throw Error(folder + ": cannot write hue.list and angle.list");
}

int run_nuisance_dependence(const DependenceOptions& options) {
  const bool from_records = !options.records.empty();
  check_usage(from_records || !options.hue_predictions.empty(),
              "give either --records or both --hue-predictions and --angle-predictions");
  Readings readings;
  if (from_records) {
    const CsvTable records = read_csv(options.records);
    readings = readings_from_records(records);
    if (!options.filelists_out.empty()) write_filelists(records, options.filelists_out);
  } else {
    readings = readings_from_predictions(read_csv(options.hue_predictions), read_csv(options.angle_predictions));
  }
  const int largest = *std::max_element(readings.labels.begin(), readings.labels.end());
  const int classes = options.classes != 0 ? options.classes : largest + 1;
  check_usage(classes > largest, "--classes " + std::to_string(classes) + " but a label is " + std::to_string(largest));
  const io::scenes::ConfoundAccuracy accuracy =
      io::scenes::measure_confound(readings.hues, readings.angles, readings.labels, classes);
  nlohmann::ordered_json output;
  output["name"] = options.name;
  output["source"] = from_records ? "records" : "read-out predictions";
  output["samples"] = readings.labels.size();
  output["classes"] = classes;
  output["confound"] = io::scenes::confound_json(accuracy);
  std::printf("%s\n", output.dump().c_str());
  return 0;
}

const SubcommandRegistrar registrar(
    data_commands(), "nuisance-dependence",
    make_subcommand("how well binned hue and angle predict the label (records or read-out predictions)",
                    declare_dependence, run_nuisance_dependence));

}  // namespace
}  // namespace genint::data
