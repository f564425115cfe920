// genint-data nuisance-dependence as a subprocess: its numbers are confound_measure's (called here in-process)
// on ground-truth records and on read-out bins; file lists carry the same 30-degree bins; bad input is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "io/scenes/confound_measure.h"
#include "io/scenes/scene_records.h"
#include "support/run_command.h"
#include "support/temporary_directory.h"

namespace genint::io::scenes {
namespace {

using ::genint::testing::ProgramRun;

ProgramRun run_dependence(const std::string& arguments) {
  return ::genint::testing::run_command("timeout 60 '" GENINT_DATA_PROGRAM "' nuisance-dependence " + arguments);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Labels follow the hue bin (label = bin mod 4) and ignore the angle: hue predicts the label perfectly.
struct Sample {
  std::string file;
  int label;
  double hue, angle;
};
std::vector<Sample> hue_coded_samples(int count) {
  std::mt19937 generator(17);
  std::uniform_real_distribution<double> hue(0.0, 360.0), angle(-180.0, 180.0);
  std::vector<Sample> samples;
  for (int index = 0; index < count; ++index) {
    const double drawn_hue = hue(generator);
    samples.push_back({"train/c/i" + std::to_string(index) + ".JPEG", static_cast<int>(drawn_hue / 30.0) % 4, drawn_hue,
                       angle(generator)});
  }
  return samples;
}

std::string records_csv(const std::vector<Sample>& samples) {
  std::ostringstream text;
  text.precision(17);
  text << "file,label,class,hue,angle,scale\n";
  for (const Sample& sample : samples)
    text << sample.file << ',' << sample.label << ",c," << sample.hue << ',' << sample.angle << ",0.7\n";
  return text.str();
}

nlohmann::json expected_confound(const std::vector<Sample>& samples, bool bin_centres) {
  std::vector<double> hues, angles;
  std::vector<int> labels;
  for (const Sample& sample : samples) {
    // A read-out reports bins; their centres must fall in the same cells as the exact values.
    hues.push_back(bin_centres ? std::floor(sample.hue / 30.0) * 30.0 + 15.0 : sample.hue);
    angles.push_back(bin_centres ? std::floor((sample.angle + 180.0) / 30.0) * 30.0 - 165.0 : sample.angle);
    labels.push_back(sample.label);
  }
  return nlohmann::json(confound_json(measure_confound(hues, angles, labels, 4)));
}

TEST(NuisanceDependenceCommand, RecordsGiveConfoundMeasureAndFileLists) {
  const genint::testing::TemporaryDirectory folder;
  const std::vector<Sample> samples = hue_coded_samples(600);
  write_file(folder.file("train.csv"), records_csv(samples));
  const ProgramRun run = run_dependence("--records '" + folder.file("train.csv") +
                                        "' --name natural --filelists-out '" + folder.file("lists") + "'");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json output = nlohmann::json::parse(run.output);
  EXPECT_EQ(output["name"], "natural");
  EXPECT_EQ(output["samples"], 600);
  EXPECT_EQ(output["classes"], 4);
  EXPECT_EQ(output["confound"], expected_confound(samples, false));
  EXPECT_EQ(output["confound"]["hue_only"], 1.0);                   // every hue bin holds a single label
  EXPECT_LT(output["confound"]["angle_only"].get<double>(), 0.45);  // angle is noise: near chance (~0.33)

  std::ifstream hue_list(folder.file("lists/hue.list")), angle_list(folder.file("lists/angle.list"));
  std::string path;
  int hue_bin = -1, angle_bin = -1;
  for (const Sample& sample : samples) {
    ASSERT_TRUE(hue_list >> path >> hue_bin);
    ASSERT_TRUE(angle_list >> path >> angle_bin);
    EXPECT_EQ(path, folder.file(sample.file));
    EXPECT_EQ(hue_bin, static_cast<int>(sample.hue / 30.0));
    EXPECT_EQ(angle_bin, static_cast<int>((sample.angle + 180.0) / 30.0));
  }
}

TEST(NuisanceDependenceCommand, ReadOutPredictionsAreBinsJoinedByFile) {
  const genint::testing::TemporaryDirectory folder;
  const std::vector<Sample> samples = hue_coded_samples(500);
  std::string hue_csv = "file,label,prediction,prediction_probability,label_probability\n";
  std::string angle_csv = hue_csv;
  for (const Sample& sample : samples)
    hue_csv += sample.file + "," + std::to_string(sample.label) + "," +
               std::to_string(static_cast<int>(sample.hue / 30)) + ",0.9,0.1\n";
  // The angle read-out's rows come in reverse order: the join is by file, not by row.
  for (auto sample = samples.rbegin(); sample != samples.rend(); ++sample)
    angle_csv += sample->file + "," + std::to_string(sample->label) + "," +
                 std::to_string(static_cast<int>((sample->angle + 180.0) / 30.0)) + ",0.9,0.1\n";
  write_file(folder.file("hue.csv"), hue_csv);
  write_file(folder.file("angle.csv"), angle_csv);
  const std::string both =
      "--hue-predictions '" + folder.file("hue.csv") + "' --angle-predictions '" + folder.file("angle.csv") + "'";
  const ProgramRun run = run_dependence(both + " --classes 4");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json output = nlohmann::json::parse(run.output);
  EXPECT_EQ(output["samples"], 500);
  EXPECT_EQ(output["confound"], expected_confound(samples, true));
  EXPECT_EQ(output["confound"], expected_confound(samples, false));  // bins alone decide the measure

  write_file(folder.file("short.csv"), angle_csv.substr(0, angle_csv.rfind('\n', angle_csv.size() - 2) + 1));
  EXPECT_EQ(run_dependence("--hue-predictions '" + folder.file("hue.csv") + "' --angle-predictions '" +
                           folder.file("short.csv") + "'")
                .exit_status,
            1);  // one file missing from the angle read-out
  write_file(folder.file("bad-bin.csv"), "file,label,prediction\ntrain/c/i0.JPEG,0,12\n");
  EXPECT_EQ(run_dependence("--hue-predictions '" + folder.file("bad-bin.csv") + "' --angle-predictions '" +
                           folder.file("bad-bin.csv") + "'")
                .exit_status,
            1);  // bin 12 does not exist
}

TEST(NuisanceDependenceCommand, RefusesBadUsageAndBadFiles) {
  const genint::testing::TemporaryDirectory folder;
  EXPECT_EQ(run_dependence("").exit_status, 2);
  EXPECT_EQ(run_dependence("--records a.csv --hue-predictions b.csv").exit_status, 2);
  EXPECT_EQ(run_dependence("--hue-predictions b.csv").exit_status, 2);
  EXPECT_EQ(run_dependence("--records a.csv --colour 3").exit_status, 2);
  write_file(folder.file("no-hue.csv"), "file,label,angle\na.JPEG,0,10\n");
  EXPECT_EQ(run_dependence("--records '" + folder.file("no-hue.csv") + "'").exit_status, 1);
  write_file(folder.file("nan.csv"), "file,label,hue,angle\na.JPEG,0,nan,10\n");
  EXPECT_EQ(run_dependence("--records '" + folder.file("nan.csv") + "'").exit_status, 1);
  EXPECT_EQ(run_dependence("--records '" + folder.file("absent.csv") + "'").exit_status, 1);
  write_file(folder.file("ok.csv"), "file,label,hue,angle\na.JPEG,3,10,10\n");
  EXPECT_EQ(run_dependence("--records '" + folder.file("ok.csv") + "' --classes 2").exit_status, 2);
}

}  // namespace
}  // namespace genint::io::scenes
