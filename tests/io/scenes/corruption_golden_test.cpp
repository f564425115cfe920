// Every corruption at every severity against tools/golden/make_corruption_goldens.py (Tiny-ImageNet-C's definitions
// re-written with numpy, scipy, skimage and Pillow), fed the reference's own random numbers through CorruptionNoise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "io/scenes/corruptions.h"
#include "nn/core/error.h"
#include "support/golden_file.h"

namespace genint::io::scenes {
namespace {

using ::genint::testing::GoldenFile;

const std::string golden_folder = std::string(GENINT_TEST_DATA_DIR) + "/golden/io/corruptions";

const GoldenFile& golden() {
  static const GoldenFile file(golden_folder + "/reference.safetensors");
  return file;
}

// Serves the golden's streams from their start, decoded as the script decodes them, and counts what it served.
class RecordedNoise final : public CorruptionNoise {
 public:
  RecordedNoise()
      : normal_codes_(golden().read<std::int16_t>("noise.normal_codes")),
        uniform_codes_(golden().read<std::uint16_t>("noise.uniform_codes")),
        byte_codes_(golden().read<std::uint8_t>("noise.byte_codes")) {}

  void standard_normals(double* values, std::size_t count) override {
    const std::size_t start = take(normals, normal_codes_.size(), count);
    for (std::size_t index = 0; index < count; ++index) values[index] = normal_codes_[start + index] / 4096.0;
  }
  void uniforms(double* values, std::size_t count) override {
    const std::size_t start = take(uniforms_used, uniform_codes_.size(), count);
    for (std::size_t index = 0; index < count; ++index) values[index] = (uniform_codes_[start + index] + 0.5) / 65536.0;
  }
  void integers(int low, int high, int* values, std::size_t count) override {
    GENINT_CHECK(high > low && 256 % (high - low) == 0, "RecordedNoise: the range must divide 256");
    const std::size_t start = take(integers_used, byte_codes_.size(), count);
    for (std::size_t index = 0; index < count; ++index) values[index] = low + byte_codes_[start + index] % (high - low);
  }

  std::size_t normals = 0, uniforms_used = 0, integers_used = 0;

 private:
  static std::size_t take(std::size_t& used, std::size_t available, std::size_t count) {
    GENINT_CHECK(used + count <= available, "RecordedNoise: the golden stream is too short for this draw");
    const std::size_t start = used;
    used += count;
    return start;
  }
  std::vector<std::int16_t> normal_codes_;
  std::vector<std::uint16_t> uniform_codes_;
  std::vector<std::uint8_t> byte_codes_;
};

// Allowed disagreement with the reference per corruption, in grey levels. Every corruption re-creates the
// reference's operations in their order and precision, so the expectation is identical bytes; when the golden was
// made none of the 15,360 (pointwise, 32x32) or 76,800 (spatial, 64x64 and 32x32) values of a corruption differed.
// What could still move a value by one is named per corruption, so that a failure points at its cause.
struct Tolerance {
  int max_difference;      // on any value
  double differing_share;  // of a case's values that may differ at all
};
const std::map<std::string, Tolerance>& tolerances() {
  static const std::map<std::string, Tolerance> table = {
      // numpy's double arithmetic on the same stored noise, value by value: nothing can differ.
      {"gaussian_noise", {0, 0.0}},
      {"impulse_noise", {0, 0.0}},
      // Poisson counts by inversion: the pmf summed here, scipy's incomplete gamma there; a count could differ only
      // for a uniform within ~1e-13 of a CDF value (none of the stored 16-bit uniforms is).
      {"shot_noise", {0, 0.0}},
      // scipy's Gaussian weights (numpy's pairwise sum) and correlation order, its order-1 zoom, skimage's HSV
      // formulas, ImageMagick's quantum rounding and Pillow's 22-bit fixed point, operation for operation.
      {"glass_blur", {0, 0.0}},
      {"zoom_blur", {0, 0.0}},
      {"brightness", {0, 0.0}},
      {"motion_blur", {0, 0.0}},
      {"pixelate", {0, 0.0}},
      // Channel means summed in another order than numpy's: a value could round the other way only at an exact tie.
      {"contrast", {0, 0.0}},
      // The same float32 disk kernel both sides, correlated in double (OpenCV may take a DFT for 17x17, the script
      // sums directly): ~1e-16 apart, so only an exact rounding tie could differ.
      {"defocus_blur", {0, 0.0}},
      // libjpeg-turbo both sides (TurboJPEG here, Pillow there): same tables, 4:2:0, accurate DCT. A Pillow built on
      // another libjpeg would need a new golden, not a tolerance.
      {"jpeg_compression", {0, 0.0}},
  };
  return table;
}

cv::Mat golden_outputs(int size, const std::string& corruption) {
  const std::string path = golden_folder + "/" + std::to_string(size) + "/" + corruption + ".png";
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  GENINT_CHECK(!bgr.empty() && bgr.rows == size && bgr.cols == 5 * size,
               path + " is missing or not " + std::to_string(size) + " x 5 " + std::to_string(size));
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

cv::Mat golden_image(int size) {
  std::vector<std::uint8_t> pixels = golden().read<std::uint8_t>("image." + std::to_string(size));
  GENINT_CHECK(pixels.size() == static_cast<std::size_t>(size * size * 3), "image." + std::to_string(size));
  return cv::Mat(size, size, CV_8UC3, pixels.data()).clone();
}

struct Agreement {
  int max_difference = 0;
  double mean_difference = 0;
  std::size_t differing = 0, values = 0;
};

Agreement compare(const cv::Mat& ours, const cv::Mat& reference) {
  Agreement agreement;
  cv::Mat difference;
  cv::absdiff(ours, reference, difference);
  double largest = 0;
  cv::minMaxLoc(difference.reshape(1), nullptr, &largest);
  agreement.max_difference = static_cast<int>(largest);
  agreement.mean_difference = cv::sum(difference)[0] + cv::sum(difference)[1] + cv::sum(difference)[2];
  agreement.values = difference.total() * 3;
  agreement.mean_difference /= static_cast<double>(agreement.values);
  agreement.differing = static_cast<std::size_t>(cv::countNonZero(difference.reshape(1)));
  return agreement;
}

TEST(CorruptionGolden, ZoomFactorsAreNumpysArange) {
  const nlohmann::json cases = nlohmann::json::parse(golden().metadata("cases"));
  const double stops[] = {1.06, 1.11, 1.16, 1.21, 1.26};
  int checked = 0;
  for (const auto& test_case : cases) {
    if (test_case.at("corruption") != "zoom_blur") continue;
    const std::vector<double> expected = test_case.at("zoom_factors").get<std::vector<double>>();
    const std::vector<double> ours = numpy_arange(1.0, stops[test_case.at("severity").get<int>() - 1], 0.01);
    EXPECT_EQ(ours, expected) << "severity " << test_case.at("severity");
    ++checked;
  }
  EXPECT_EQ(checked, 10);
  EXPECT_EQ(numpy_arange(1.0, 1.06, 0.01).size(), 7u);  // 1.00 .. 1.06: the float length rounds up
}

TEST(CorruptionGolden, EveryCorruptionAndSeverityMatchesTheReference) {
  const nlohmann::json cases = nlohmann::json::parse(golden().metadata("cases"));
  ASSERT_EQ(cases.size(), 85u) << "11 corruptions x 5 severities at 32, the 6 spatial ones also at 64";
  std::map<std::string, Agreement> worst;  // per corruption, over sizes and severities
  std::map<std::pair<int, std::string>, cv::Mat> outputs;
  for (const auto& test_case : cases) {
    const int size = test_case.at("size").get<int>(), severity = test_case.at("severity").get<int>();
    const std::string name = test_case.at("corruption").get<std::string>();
    const std::string label = name + " severity " + std::to_string(severity) + " at " + std::to_string(size);
    auto found = outputs.find({size, name});
    if (found == outputs.end()) found = outputs.emplace(std::make_pair(size, name), golden_outputs(size, name)).first;
    const cv::Mat reference = found->second(cv::Rect((severity - 1) * size, 0, size, size)).clone();
    CorruptionEngine engine(size);
    RecordedNoise noise;
    cv::Mat corrupted;
    engine.apply(parse_corruption(name), severity, golden_image(size), noise, corrupted);
    EXPECT_EQ(noise.normals, test_case.at("normals").get<std::size_t>()) << label << ": normals drawn";
    EXPECT_EQ(noise.uniforms_used, test_case.at("uniforms").get<std::size_t>()) << label << ": uniforms drawn";
    EXPECT_EQ(noise.integers_used, test_case.at("integers").get<std::size_t>()) << label << ": integers drawn";
    const Agreement agreement = compare(corrupted, reference);
    const Tolerance& tolerance = tolerances().at(name);
    EXPECT_LE(agreement.max_difference, tolerance.max_difference) << label;
    EXPECT_LE(static_cast<double>(agreement.differing), tolerance.differing_share * agreement.values) << label;
    Agreement& summary = worst[name];
    summary.max_difference = std::max(summary.max_difference, agreement.max_difference);
    summary.mean_difference = std::max(summary.mean_difference, agreement.mean_difference);
    summary.differing += agreement.differing;
    summary.values += agreement.values;
  }
  EXPECT_EQ(worst.size(), all_corruptions().size());
  for (const auto& [name, summary] : worst)  // for the record: what the tolerances above are measured against
    std::printf("%-17s max |diff| %d, worst case's mean |diff| %.5f, %zu of %zu values differ\n", name.c_str(),
                summary.max_difference, summary.mean_difference, summary.differing, summary.values);
}

}  // namespace
}  // namespace genint::io::scenes
