// genint-gan sample as a subprocess on the tiny golden BigGAN: ImageFolder layout and samples.csv, every PNG equal
// to the sample regenerated in-process from its record, intervention records within (k, s), and refusals.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "gan/biggan/biggan_generator.h"
#include "gan/images/generated_image.h"
#include "gan/interventions/intervention_sampler.h"
#include "support/run_command.h"
#include "tests/gan/interventions/intervention_test_support.h"

namespace genint {
namespace {

using ::genint::testing::ProgramRun;

ProgramRun run_sample(const std::string& arguments) {
  return ::genint::testing::run_command("timeout 120 '" GENINT_GAN_PROGRAM "' sample --quiet " + arguments + " 2>&1");
}

std::vector<std::vector<std::string>> read_csv_rows(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(file, line);) {
    std::vector<std::string> fields;
    std::istringstream stream(line);
    for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

// The image the loader's intervention source would deliver for this seed and class, as uint8 RGB HWC.
std::vector<std::uint8_t> regenerate(const InterventionOptions& options, const DirectionSet* directions,
                                     std::uint64_t seed, int class_index) {
  BigGanGenerator generator(BigGanWeights::load(testing::kTinyGenerator));
  InterventionSampler sampler(generator.config(), directions, options);
  InterventionBatch batch;
  sampler.reserve(1, batch);
  sampler.sample(&seed, &class_index, 1, batch);
  if (options.space == InterventionSpace::Activation) generator.set_activation_hook(sampler.activation_hook(batch));
  std::vector<float> image(3 * 32 * 32);
  generator.forward(1, generator_inputs(batch), image.data());
  GeneratedImageConverter converter(32, 32, GeneratedLayout::Uint8Hwc);
  std::vector<std::uint8_t> pixels(converter.output_bytes());
  EXPECT_TRUE(converter.convert(image.data(), pixels.data()));
  return pixels;
}

std::vector<std::uint8_t> read_png_rgb(const std::string& path) {
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR), rgb;
  EXPECT_FALSE(bgr.empty()) << path;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return std::vector<std::uint8_t>(rgb.data, rgb.data + rgb.total() * 3);
}

TEST(GanSampleCommand, ObservationalSamplesMatchTheirRecordsAndFolders) {
  const testing::DirectionsFolder folder;
  const std::string out = folder.path("observational");
  const ProgramRun run = run_sample("--generator '" + testing::kTinyGenerator +
                                    "' --space observational --truncation 0.5 --count 23 --seed 7 --out '" + out +
                                    "' --class-folders a,b,c,d,e,f,g,h,i,j --chunk 5 --threads 1");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto rows = read_csv_rows(out + "/samples.csv");
  ASSERT_EQ(rows.size(), 24u);
  EXPECT_EQ(rows[0][0], "file");
  EXPECT_EQ(rows[0].size(), 10u);
  std::vector<int> per_class(10);
  for (std::size_t row = 1; row < rows.size(); ++row) {
    const int class_index = std::stoi(rows[row][2]);
    ++per_class[static_cast<std::size_t>(class_index)];
    EXPECT_EQ(rows[row][1], rows[row][2]);  // no label map: label = class
    EXPECT_EQ(rows[row][0].substr(0, 2), std::string(1, static_cast<char>('a' + class_index)) + "/");
    EXPECT_EQ(rows[row][5], "observational");
    EXPECT_EQ(rows[row][8], "-1");
  }
  EXPECT_EQ(*std::min_element(per_class.begin(), per_class.end()), 2);  // 23 dealt in turn to 10 classes
  EXPECT_EQ(*std::max_element(per_class.begin(), per_class.end()), 3);
  InterventionOptions options;
  options.space = InterventionSpace::Observational;
  options.truncation = 0.5;
  for (std::size_t row : {std::size_t{1}, std::size_t{17}}) {
    const auto expected = regenerate(options, nullptr, std::stoull(rows[row][3]), std::stoi(rows[row][2]));
    EXPECT_EQ(read_png_rgb(out + "/" + rows[row][0]), expected) << rows[row][0];
  }
  // The same seed writes the same bytes; another seed other images.
  const ProgramRun again = run_sample("--generator '" + testing::kTinyGenerator +
                                      "' --space observational --truncation 0.5 --count 3 --seed 7 --out '" + out +
                                      "-again' --class-folders a,b,c,d,e,f,g,h,i,j");
  ASSERT_EQ(again.exit_status, 0) << again.output;
  EXPECT_EQ(read_png_rgb(out + "-again/b/gen_0000001.png"), read_png_rgb(out + "/b/gen_0000001.png"));
}

TEST(GanSampleCommand, ConfigFileInterventionsRecordDirectionAndStep) {
  const testing::DirectionsFolder folder;
  nlohmann::json keys = testing::intervention_keys(folder, "latent");  // top_k 6, step 2, truncation 0.5
  keys["label_map"] = {{"3", 1}, {"5", 0}};
  std::ofstream(folder.path("config.json")) << keys.dump();
  const std::string out = folder.path("latent");
  const ProgramRun run = run_sample("--config '" + folder.path("config.json") +
                                    "' --count 12 --seed 2 --format jpeg --out '" + out + "' --step 1.5");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(nlohmann::json::parse(run.output)["written"], 12);
  const auto rows = read_csv_rows(out + "/samples.csv");
  ASSERT_EQ(rows.size(), 13u);
  const DirectionSet directions = DirectionSet::read(folder.directions_path());
  InterventionOptions options;
  options.space = InterventionSpace::Latent;
  options.truncation = 0.5;
  options.top_k = 6;
  options.step_range = 1.5;  // the command-line option overrides the file's 2.0
  options.classes = {3, 5};
  InterventionSampler sampler(BigGanWeights::load(testing::kTinyGenerator).config, &directions, options);
  for (std::size_t row = 1; row < rows.size(); ++row) {
    const int class_index = std::stoi(rows[row][2]);
    EXPECT_TRUE(class_index == 3 || class_index == 5);
    EXPECT_EQ(std::stoi(rows[row][1]), class_index == 3 ? 1 : 0);
    EXPECT_EQ(rows[row][0].substr(0, 2), class_index == 3 ? "1/" : "0/");  // default folders: label numbers
    EXPECT_EQ(rows[row][0].substr(rows[row][0].size() - 5), ".JPEG");
    EXPECT_EQ(rows[row][5], "latent");
    const InterventionRecord record = sampler.draw(std::stoull(rows[row][3]), class_index);
    EXPECT_EQ(std::stoi(rows[row][8]), record.direction);
    EXPECT_NEAR(std::stod(rows[row][9]), record.step, 1e-5);  // printed with 6 significant digits
    EXPECT_LE(std::abs(std::stod(rows[row][9])), 1.5);
    EXPECT_TRUE(std::filesystem::is_regular_file(out + "/" + rows[row][0]));
  }
}

// --seeds: the loader's transferred source records a generated style's seed; the style image is the sampler's draw
// from that seed alone (its class included), and the command must write exactly that image.
TEST(GanSampleCommand, SeedsFileRegeneratesTheSamplersOwnDraws) {
  const testing::DirectionsFolder folder;
  const std::vector<std::uint64_t> seeds = {12345678901234567890ull, 7, 424242};
  std::ofstream(folder.path("seeds.txt")) << seeds[0] << "\n" << seeds[1] << "\n\n" << seeds[2] << "\n";
  const std::string out = folder.path("seeded");
  const ProgramRun run = run_sample("--generator '" + testing::kTinyGenerator +
                                    "' --space observational --truncation 0.5 --count 3 --seeds '" +
                                    folder.path("seeds.txt") + "' --out '" + out + "' --chunk 2 --threads 1");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto rows = read_csv_rows(out + "/samples.csv");
  ASSERT_EQ(rows.size(), 4u);
  InterventionOptions options;
  options.space = InterventionSpace::Observational;
  options.truncation = 0.5;
  const InterventionSampler sampler(BigGanWeights::load(testing::kTinyGenerator).config, nullptr, options);
  for (std::size_t row = 1; row < rows.size(); ++row) {
    const std::uint64_t seed = seeds[row - 1];
    EXPECT_EQ(std::stoull(rows[row][3]), seed);
    InterventionBatch batch;
    sampler.reserve(1, batch);
    sampler.sample(&seed, nullptr, 1, batch);  // the class is the seed's own draw, not dealt in turn
    EXPECT_EQ(std::stoi(rows[row][2]), batch.records[0].class_index);
    EXPECT_EQ(read_png_rgb(out + "/" + rows[row][0]), regenerate(options, nullptr, seed, batch.records[0].class_index))
        << rows[row][0];
  }
  // Too few seeds, a line that is not a seed, and --seed beside --seeds are refused.
  std::ofstream(folder.path("bad.txt")) << "5\nseven\n";
  for (const std::string& arguments :
       {"--count 4 --seeds '" + folder.path("seeds.txt") + "'", "--count 2 --seeds '" + folder.path("bad.txt") + "'",
        "--count 1 --seed 3 --seeds '" + folder.path("seeds.txt") + "'"}) {
    const ProgramRun refused = run_sample("--generator '" + testing::kTinyGenerator + "' --space observational " +
                                          arguments + " --out '" + folder.path("refused") + "'");
    EXPECT_NE(refused.exit_status, 0) << arguments;
    EXPECT_NE(refused.output.find("seed"), std::string::npos) << refused.output;
  }
}

TEST(GanSampleCommand, RefusesBadKeysAndANonEmptyFolder) {
  const testing::DirectionsFolder folder;
  const std::string generator = "--generator '" + testing::kTinyGenerator + "' --count 2 ";
  const ProgramRun no_directions = run_sample(generator + "--space latent --out '" + folder.path("a") + "'");
  EXPECT_EQ(no_directions.exit_status, 1);
  EXPECT_NE(no_directions.output.find("directions"), std::string::npos) << no_directions.output;
  const ProgramRun step_on_observational =
      run_sample(generator + "--space observational --step 1 --out '" + folder.path("b") + "'");
  EXPECT_EQ(step_on_observational.exit_status, 1);
  EXPECT_NE(step_on_observational.output.find("step"), std::string::npos) << step_on_observational.output;
  std::ofstream(folder.path("unknown.json")) << R"({"space": "observational", "colour": 3})";
  const ProgramRun unknown_key =
      run_sample(generator + "--config '" + folder.path("unknown.json") + "' --out '" + folder.path("c") + "'");
  EXPECT_EQ(unknown_key.exit_status, 1);
  EXPECT_NE(unknown_key.output.find("colour"), std::string::npos) << unknown_key.output;
  EXPECT_EQ(run_sample(generator + "--space observational --class-folders only_one --out '" + folder.path("d") + "'")
                .exit_status,
            1);  // ten labels, one folder name
  std::filesystem::create_directories(folder.path("full"));
  std::ofstream(folder.path("full/keep.txt")) << "x";
  EXPECT_EQ(run_sample(generator + "--space observational --out '" + folder.path("full") + "'").exit_status, 1);
  EXPECT_TRUE(std::filesystem::exists(folder.path("full/keep.txt")));
}

}  // namespace
}  // namespace genint
