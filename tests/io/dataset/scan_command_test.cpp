// genint-data scan run as a subprocess on a hostile tree: every kind of bad file must land in the JSON
// under the right reason with its path, nothing may hang (FIFOs), and the exit status must say usable or not.
#include <gtest/gtest.h>
#include <turbojpeg.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

#include "support/run_command.h"
#include "tests/io/dataset/dataset_test_tree.h"

namespace genint::io {
namespace {

using testing::DatasetTestTree;

using ::genint::testing::ProgramRun;

// `timeout` turns a hang (a FIFO opened blocking, say) into a failed test instead of a stuck suite.
ProgramRun run_genint_data(const std::string& arguments) {
  return ::genint::testing::run_command("timeout 120 '" GENINT_DATA_PROGRAM "' " + arguments);
}

std::string encode_jpeg(int width, int height, std::uint32_t seed, int quality = 90) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3);
  std::mt19937 generator(seed);
  for (std::size_t index = 0; index < pixels.size(); ++index)  // smooth gradient plus noise: real entropy data
    pixels[index] = static_cast<unsigned char>((index / 3 % 256) / 2 + generator() % 128);
  tjhandle compressor = tjInitCompress();
  unsigned char* encoded = nullptr;
  unsigned long size = 0;
  const int failed =
      tjCompress2(compressor, pixels.data(), width, 0, height, TJPF_RGB, &encoded, &size, TJSAMP_420, quality, 0);
  EXPECT_EQ(failed, 0) << tjGetErrorStr2(compressor);
  std::string bytes(reinterpret_cast<const char*>(encoded), size);
  tjFree(encoded);
  tjDestroy(compressor);
  return bytes;
}

std::string encode_png(int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(10, 200, 30));
  std::vector<unsigned char> bytes;
  EXPECT_TRUE(cv::imencode(".png", image, bytes));
  return std::string(bytes.begin(), bytes.end());
}

std::size_t find_marker(const std::string& jpeg, unsigned char marker) {
  const std::string pattern{'\xFF', static_cast<char>(marker)};
  const std::size_t at = jpeg.find(pattern);
  EXPECT_NE(at, std::string::npos) << "no marker " << int{marker};
  return at;
}

// Overwrites a stretch in the middle of the entropy-coded data with random bytes and a stray marker.
// Random bytes alone mostly decode silently as other coefficients (JPEG has no checksum; libjpeg only
// notices an invalid Huffman code or extraneous bytes at the end), so the marker makes the damage certain:
// libjpeg meets it mid-scan and warns "premature end of data segment".
std::string corrupt_entropy_data(std::string jpeg) {
  const std::size_t scan = find_marker(jpeg, 0xDA);
  const std::size_t data_start =
      scan + 2 + ((static_cast<unsigned char>(jpeg[scan + 2]) << 8) | static_cast<unsigned char>(jpeg[scan + 3]));
  std::mt19937 generator(11);
  const std::size_t middle = data_start + (jpeg.size() - data_start) / 2;
  for (std::size_t index = middle; index < middle + 400 && index + 2 < jpeg.size(); ++index)
    jpeg[index] = static_cast<char>(generator() % 0xFF);  // never 0xFF: no accidental marker
  jpeg[middle + 200] = '\xFF';
  jpeg[middle + 201] = '\xE5';  // APP5: a marker that cannot appear inside entropy-coded data
  return jpeg;
}

// The baseline frame header (SOF0) rewritten to claim 65000 x 65000 pixels.
std::string claim_huge_size(std::string jpeg) {
  const std::size_t frame = find_marker(jpeg, 0xC0);
  for (const std::size_t offset : {frame + 5, frame + 7}) {
    jpeg[offset] = static_cast<char>(65000 >> 8);
    jpeg[offset + 1] = static_cast<char>(65000 & 0xFF);
  }
  return jpeg;
}

std::vector<std::string> paths_of(const nlohmann::json& entries) {
  std::vector<std::string> paths;
  for (const auto& entry : entries) paths.push_back(entry.at("path").get<std::string>());
  std::sort(paths.begin(), paths.end());
  return paths;
}

class ScanCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string good = encode_jpeg(64, 48, 1);
    tree.write("data/good/a.JPEG", good);
    tree.write("data/good/one_pixel.JPEG", encode_jpeg(1, 1, 2));
    tree.write("data/good/tall.JPEG", encode_jpeg(2, 3000, 3));
    tree.write("data/good/real.png", encode_png(5, 7));
    tree.write("data/bad/empty.JPEG");
    tree.write("data/bad/truncated.JPEG", good.substr(0, 120));  // ends inside the quantisation tables
    std::string noise(4096, '\0');
    std::mt19937 generator(5);
    for (char& byte : noise) byte = static_cast<char>(generator() % 0xFF);
    noise[0] = 'R';  // random, but surely no JPEG or PNG signature
    tree.write("data/bad/random.JPEG", noise);
    tree.write("data/bad/png_named.JPEG", encode_png(9, 4));
    tree.write("data/bad/corrupt_entropy.JPEG", corrupt_entropy_data(encode_jpeg(256, 256, 4)));
    tree.write("data/bad/huge_header.JPEG", claim_huge_size(good));
    tree.folder("data/bad/foo.JPEG");
    tree.folder("data/empty_class");
    // As root, chmod 000 leaves a file readable; a FIFO and a dangling link are unreadable for everyone.
    tree.fifo("data/bad/fifo.JPEG");
    tree.symlink(tree.path("nowhere.JPEG"), "data/bad/dangling.JPEG");
    const std::string locked = tree.write("data/bad/locked.JPEG", good);
    ::chmod(locked.c_str(), 0);
    locked_is_readable = ::access(locked.c_str(), R_OK) == 0;
  }

  DatasetTestTree tree;
  bool locked_is_readable = false;
};

TEST_F(ScanCommand, ReportsEveryHostileFileUnderItsReason) {
  const ProgramRun run = run_genint_data("scan '" + tree.path("data") + "' --threads 3");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json summary = nlohmann::json::parse(run.output);
  EXPECT_EQ(summary.at("layout"), "imagefolder");
  EXPECT_EQ(summary.at("classes"), 3);
  EXPECT_EQ(summary.at("files_indexed"), 13);
  EXPECT_EQ(summary.at("empty_class_folders"), nlohmann::json::array({"empty_class"}));

  const nlohmann::json& skipped = summary.at("skipped").at("by_reason");
  const auto reason = [&](const char* name) {
    return skipped.contains(name) ? paths_of(skipped.at(name)) : std::vector<std::string>{};
  };
  using Paths = std::vector<std::string>;
  EXPECT_EQ(reason("empty"), Paths{"bad/empty.JPEG"});
  EXPECT_EQ(reason("truncated"), Paths{"bad/truncated.JPEG"});
  EXPECT_EQ(reason("not_jpeg"), Paths{"bad/random.JPEG"});
  EXPECT_EQ(reason("too_many_pixels"), Paths{"bad/huge_header.JPEG"});
  EXPECT_EQ(reason("not_a_file"), Paths{"bad/fifo.JPEG"});
  const Paths unreadable =
      locked_is_readable ? Paths{"bad/dangling.JPEG"} : Paths{"bad/dangling.JPEG", "bad/locked.JPEG"};
  EXPECT_EQ(reason("unreadable"), unreadable);

  const nlohmann::json& warned = summary.at("delivered_with_warnings");
  EXPECT_EQ(paths_of(warned.at("files")), (Paths{"bad/corrupt_entropy.JPEG", "bad/png_named.JPEG"}));
  for (const auto& entry : warned.at("files")) {
    const std::string expected = entry.at("path") == "bad/png_named.JPEG" ? "png_decoded" : "ok_with_warnings";
    EXPECT_EQ(entry.at("outcome"), expected);
    EXPECT_FALSE(entry.at("detail").get<std::string>().empty());
  }
  // a, one_pixel, tall, real.png, png_named, corrupt_entropy (+ locked where root can read it).
  const int delivered = locked_is_readable ? 7 : 6;
  EXPECT_EQ(summary.at("delivered"), delivered);
  EXPECT_EQ(summary.at("skipped").at("count"), 13 - delivered);

  bool folder_named_like_image = false;
  for (const auto& finding : summary.at("index_findings"))
    folder_named_like_image |=
        finding.at("kind") == "directory_named_like_image" && finding.at("path") == "bad/foo.JPEG";
  EXPECT_TRUE(folder_named_like_image) << summary.at("index_findings").dump();
}

TEST_F(ScanCommand, AppliesThePixelCap) {
  const ProgramRun run = run_genint_data("scan '" + tree.path("data") + "' --max-pixels 5000");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json summary = nlohmann::json::parse(run.output);
  // 2x3000 = 6000 and 256x256 pixels are now over the cap; 64x48 = 3072 and the small PNGs are not.
  EXPECT_EQ(paths_of(summary.at("skipped").at("by_reason").at("too_many_pixels")),
            (std::vector<std::string>{"bad/corrupt_entropy.JPEG", "bad/huge_header.JPEG", "good/tall.JPEG"}));
}

TEST_F(ScanCommand, ExitsOneForUnusableTreesAndTwoForBadUsage) {
  EXPECT_EQ(run_genint_data("scan '" + tree.path("data/empty_class") + "'").exit_status, 1);  // no class folders
  EXPECT_EQ(run_genint_data("scan '" + tree.path("missing") + "'").exit_status, 1);
  EXPECT_EQ(run_genint_data("scan '" + tree.path("data/good/a.JPEG") + "' --layout imagefolder").exit_status, 1);
  tree.write("only_bad/c/empty.jpg");
  tree.write("only_bad/c/text.jpg", "not an image");
  const ProgramRun nothing_decodes = run_genint_data("scan '" + tree.path("only_bad") + "'");
  EXPECT_EQ(nothing_decodes.exit_status, 1);
  EXPECT_EQ(nlohmann::json::parse(nothing_decodes.output).at("skipped").at("count"), 2);

  EXPECT_EQ(run_genint_data("").exit_status, 2);
  EXPECT_EQ(run_genint_data("scan").exit_status, 2);
  EXPECT_EQ(run_genint_data("unknown-command").exit_status, 2);
  EXPECT_EQ(run_genint_data("scan '" + tree.path("data") + "' --threads zero").exit_status, 2);
  EXPECT_EQ(run_genint_data("scan '" + tree.path("data") + "' --layout folders").exit_status, 2);
  EXPECT_EQ(run_genint_data("scan '" + tree.path("data") + "' --colour red").exit_status, 2);
  EXPECT_EQ(run_genint_data("scan a b").exit_status, 2);
  EXPECT_EQ(run_genint_data("--help").exit_status, 0);
}

}  // namespace
}  // namespace genint::io
