// The loader through the shared libgenint, as a trainer uses it: misuse returns codes and messages naming
// the problem, batches come out complete and deterministic, destroy returns while producers are blocked.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "genint.h"
#include "loader/support/jpeg_tree.h"

namespace {

using genint::loader::testing::JpegTree;

std::string natural_config(const std::string& root, const std::string& extra = "", int count = 5) {
  return R"({"seed": 3, "drop_last": false, "image": {"size": 8}, )" + extra +
         R"("sources": [{"kind": "natural", "count": )" + std::to_string(count) + R"(, "threads": 2, "root": ")" +
         root + R"("}]})";
}

// Expects `status` and a last-error message containing `needle`.
void expect_failure(genint_status status, genint_status expected, const std::string& needle) {
  EXPECT_EQ(status, expected) << genint_status_name(status) << ": " << genint_last_error_message();
  EXPECT_NE(std::string(genint_last_error_message()).find(needle), std::string::npos)
      << "message '" << genint_last_error_message() << "' does not mention '" << needle << "'";
}

TEST(CApiLoader, NullHandlesAndPointersAreRefused) {
  genint_batch batch{};
  genint_source_stats stats{};
  int32_t count = 0;
  size_t length = 0;
  expect_failure(genint_loader_next_batch(nullptr, &batch), GENINT_ERROR_INVALID_ARGUMENT, "loader is NULL");
  expect_failure(genint_loader_release_batch(nullptr, &batch), GENINT_ERROR_INVALID_ARGUMENT, "loader is NULL");
  expect_failure(genint_loader_source_count(nullptr, &count), GENINT_ERROR_INVALID_ARGUMENT, "loader is NULL");
  expect_failure(genint_loader_source_stats(nullptr, 0, &stats), GENINT_ERROR_INVALID_ARGUMENT, "loader is NULL");
  expect_failure(genint_loader_stats_json(nullptr, nullptr, 0, &length), GENINT_ERROR_INVALID_ARGUMENT, "NULL");
  expect_failure(genint_loader_create_from_json("{}", nullptr), GENINT_ERROR_INVALID_ARGUMENT, "out_loader");
  genint_loader* loader = nullptr;
  expect_failure(genint_loader_create_from_json(nullptr, &loader), GENINT_ERROR_INVALID_ARGUMENT, "config_json");
  EXPECT_EQ(genint_loader_destroy(nullptr), GENINT_OK);
  EXPECT_STREQ(genint_last_error_message(), "");
}

TEST(CApiLoader, BadConfigsNameTheField) {
  const JpegTree tree(2, 3, false);
  const std::string root = tree.root();
  const struct {
    std::string json;
    std::string field;
  } cases[] = {
      {"{", "(root)"},
      {"[1, 2]", "(root)"},
      {natural_config(root, R"("sedd": 1, )"), "'sedd'"},
      {natural_config(root, R"("seed": "1", )"), "'seed'"},
      {natural_config(root, R"("batch_size": 7, )"), "'sources'"},
      {natural_config(root, R"("image": {"size": 8, "layout": "rgb"}, )"), "image.layout"},
      {natural_config(root, R"("shard": {"rank": 2, "world_size": 2}, )"), "shard.rank"},
      {R"({"sources": [{"kind": "natural", "count": 2.5, "root": "/"}]})", "sources[0].count"},
      {R"({"sources": [{"kind": "natural", "count": "2", "root": "/"}]})", "sources[0].count"},
      {R"({"sources": [{"kind": "natural", "count": 2, "root": "/no/such/folder"}]})", "sources[0].root"},
      {R"({"sources": [{"kind": "natural", "count": 2, "root": ")" + root + R"(", "mdoe": "train"}]})",
       "sources[0].mdoe"},
      {R"({"sources": [{"kind": "painting", "count": 2}]})", "sources[0].kind"},
      {R"({"batch_size": 10, "sources": [{"kind": "natural", "fraction": 0.33, "root": ")" + root + R"("}]})",
       "sources[0].fraction"},
      {R"({"sources": [{"kind": "natural", "count": 2, "root": ")" + root +
           R"("}, {"kind": "intervention", "count": 1}]})",
       "sources[1].generator"},
      {R"({"sources": [{"kind": "natural", "count": 2, "root": ")" + root +
           R"("}, {"kind": "transferred", "count": 1, "root": ")" + root + R"("}]})",
       "sources[1].network"},
      {R"({"sources": []})", "'sources'"},
  };
  for (const auto& bad : cases) {
    genint_loader* loader = reinterpret_cast<genint_loader*>(&loader);
    expect_failure(genint_loader_create_from_json(bad.json.c_str(), &loader), GENINT_ERROR_INVALID_CONFIG, bad.field);
    EXPECT_EQ(loader, nullptr) << bad.json;
  }
  genint_loader* loader = nullptr;
  expect_failure(genint_loader_create_from_file("/no/such/config.json", &loader), GENINT_ERROR_INVALID_CONFIG,
                 "/no/such/config.json");
}

std::uint64_t checksum(const genint_batch& batch) {
  std::uint64_t hash = 1469598103934665603ull;
  const auto* bytes = static_cast<const std::uint8_t*>(batch.images);
  for (size_t index = 0; index < batch.sample_bytes * static_cast<size_t>(batch.size); ++index)
    hash = (hash ^ bytes[index]) * 1099511628211ull;
  for (int32_t sample = 0; sample < batch.size; ++sample)
    hash = (hash ^ static_cast<std::uint64_t>(batch.items[sample])) * 1099511628211ull;
  return hash;
}

std::vector<std::uint64_t> run_batches(const std::string& config, int batches) {
  genint_loader* loader = nullptr;
  EXPECT_EQ(genint_loader_create_from_json(config.c_str(), &loader), GENINT_OK) << genint_last_error_message();
  std::vector<std::uint64_t> sums;
  for (int index = 0; index < batches && loader != nullptr; ++index) {
    genint_batch batch{};
    EXPECT_EQ(genint_loader_next_batch(loader, &batch), GENINT_OK) << genint_last_error_message();
    sums.push_back(checksum(batch));
    EXPECT_EQ(genint_loader_release_batch(loader, &batch), GENINT_OK);
  }
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
  return sums;
}

TEST(CApiLoader, NaturalBatchesAreCompleteDeterministicAndReportSkips) {
  const JpegTree tree(3, 10, true);
  genint_loader* loader = nullptr;
  ASSERT_EQ(genint_loader_create_from_json(natural_config(tree.root()).c_str(), &loader), GENINT_OK)
      << genint_last_error_message();
  std::vector<int> seen(31, 0);
  for (int index = 0; index < 14; ++index) {  // 14 batches of 5 = two padded epochs of 31 files
    genint_batch batch{};
    ASSERT_EQ(genint_loader_next_batch(loader, &batch), GENINT_OK) << genint_last_error_message();
    ASSERT_EQ(batch.size, 5);
    EXPECT_EQ(batch.index, static_cast<uint64_t>(index));
    EXPECT_EQ(batch.epoch, static_cast<uint64_t>(index / 7));
    EXPECT_EQ(batch.layout, GENINT_LAYOUT_UINT8_HWC);
    EXPECT_EQ(batch.sample_bytes, 8u * 8u * 3u);
    for (int32_t sample = 0; sample < batch.size; ++sample) {
      EXPECT_EQ(batch.sources[sample], GENINT_SOURCE_NATURAL);
      EXPECT_TRUE(batch.labels[sample] >= 0 && batch.labels[sample] < 3);
      EXPECT_EQ(batch.weights[sample], 1.0f);
      EXPECT_EQ(batch.interventions[sample].class_index, -1);
      ++seen.at(static_cast<size_t>(batch.items[sample]));
    }
    ASSERT_EQ(genint_loader_release_batch(loader, &batch), GENINT_OK);
    expect_failure(genint_loader_release_batch(loader, &batch), GENINT_ERROR_INVALID_ARGUMENT, "released twice");
  }
  int32_t sources = 0;
  ASSERT_EQ(genint_loader_source_count(loader, &sources), GENINT_OK);
  EXPECT_EQ(sources, 1);
  genint_source_stats stats{};
  ASSERT_EQ(genint_loader_source_stats(loader, 0, &stats), GENINT_OK);
  EXPECT_EQ(stats.delivered, 70u);
  EXPECT_GE(stats.skipped, 1u);  // broken.JPEG comes up in every epoch and is replaced by a substitute
  EXPECT_EQ(stats.batches_per_epoch, 7u);
  expect_failure(genint_loader_source_stats(loader, 1, &stats), GENINT_ERROR_INVALID_ARGUMENT, "out of range");
  size_t length = 0;
  ASSERT_EQ(genint_loader_stats_json(loader, nullptr, 0, &length), GENINT_OK);
  // The text's length changes as the figures do (images/s), so leave room when asking a second time.
  std::vector<char> text(length + 256);
  expect_failure(genint_loader_stats_json(loader, text.data(), 8, &length), GENINT_ERROR_INVALID_ARGUMENT,
                 "the statistics need");
  ASSERT_EQ(genint_loader_stats_json(loader, text.data(), text.size(), &length), GENINT_OK);
  EXPECT_NE(std::string(text.data()).find("broken.JPEG"), std::string::npos) << text.data();
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
  // The bad file (dataset index 0: class0/broken.JPEG sorts first) never reaches a batch; 30 good files do.
  int covered = 0;
  for (size_t item = 0; item < seen.size(); ++item) covered += seen[item] > 0;
  EXPECT_GE(covered, 29);
  EXPECT_EQ(run_batches(natural_config(tree.root()), 12), run_batches(natural_config(tree.root()), 12));
}

TEST(CApiLoader, DeviceOutputCallsNeedADeviceOutput) {
  const JpegTree tree(2, 4, false);
  genint_loader* loader = nullptr;
  ASSERT_EQ(
      genint_loader_create_from_json(natural_config(tree.root(), R"("output": {"device": "cpu"}, )").c_str(), &loader),
      GENINT_OK)
      << genint_last_error_message();
  genint_batch batch{};
  ASSERT_EQ(genint_loader_next_batch(loader, &batch), GENINT_OK) << genint_last_error_message();
  genint_device_batch device{};
  device.device_index = 5;
  expect_failure(genint_loader_device_batch(loader, &batch, &device), GENINT_ERROR_INVALID_ARGUMENT,
                 "no device output");
  EXPECT_EQ(device.device_index, -1);
  EXPECT_EQ(device.images, nullptr);
  expect_failure(genint_loader_wait_batch_on_stream(loader, &batch, nullptr), GENINT_ERROR_INVALID_ARGUMENT,
                 "no device output");
  expect_failure(genint_loader_release_batch_on_stream(loader, &batch, nullptr), GENINT_ERROR_INVALID_ARGUMENT,
                 "no device output");
  expect_failure(genint_loader_device_batch(nullptr, &batch, &device), GENINT_ERROR_INVALID_ARGUMENT, "loader is NULL");
  expect_failure(genint_loader_device_batch(loader, nullptr, &device), GENINT_ERROR_INVALID_ARGUMENT, "batch is NULL");
  expect_failure(genint_loader_device_batch(loader, &batch, nullptr), GENINT_ERROR_INVALID_ARGUMENT, "out_device");
  expect_failure(genint_loader_wait_batch_on_stream(nullptr, &batch, nullptr), GENINT_ERROR_INVALID_ARGUMENT,
                 "loader is NULL");
  expect_failure(genint_loader_release_batch_on_stream(loader, nullptr, nullptr), GENINT_ERROR_INVALID_ARGUMENT,
                 "batch is NULL");
  ASSERT_EQ(genint_loader_release_batch(loader, &batch), GENINT_OK);  // the failed calls above released nothing
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
}

// Without the CUDA backend or a GPU the config is refused naming the field; with both (a GPU machine) the
// loader runs and hands out device batches.
TEST(CApiLoader, DeviceOutputIsRefusedWhereItCannotWork) {
  const JpegTree tree(2, 4, false);
  genint_loader* loader = nullptr;
  const std::string config = natural_config(tree.root(), R"("output": {"device": "cuda", "device_index": 0}, )");
  const genint_status status = genint_loader_create_from_json(config.c_str(), &loader);
  if (status != GENINT_OK) {
    expect_failure(status, GENINT_ERROR_INVALID_CONFIG, "output.device");
    EXPECT_EQ(loader, nullptr);
    return;
  }
  ASSERT_EQ(genint_cuda_backend_built(), 1) << "a CPU-only build accepted a device output";
  genint_batch batch{};
  ASSERT_EQ(genint_loader_next_batch(loader, &batch), GENINT_OK) << genint_last_error_message();
  genint_device_batch device{};
  ASSERT_EQ(genint_loader_device_batch(loader, &batch, &device), GENINT_OK) << genint_last_error_message();
  EXPECT_EQ(device.device_index, 0);
  EXPECT_NE(device.images, nullptr);
  EXPECT_NE(device.copy_event, nullptr);
  EXPECT_EQ(genint_loader_wait_batch_on_stream(loader, &batch, nullptr), GENINT_OK) << genint_last_error_message();
  EXPECT_EQ(genint_loader_release_batch_on_stream(loader, &batch, nullptr), GENINT_OK) << genint_last_error_message();
  expect_failure(genint_loader_release_batch_on_stream(loader, &batch, nullptr), GENINT_ERROR_INVALID_ARGUMENT,
                 "not borrowed");
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
}

TEST(CApiLoader, DestroyReturnsWhileProducersAreBlocked) {
  const JpegTree tree(2, 8, false);
  for (int round = 0; round < 20; ++round) {
    genint_loader* loader = nullptr;
    ASSERT_EQ(
        genint_loader_create_from_json(natural_config(tree.root(), R"("batches_in_flight": 2, )", 4).c_str(), &loader),
        GENINT_OK)
        << genint_last_error_message();
    genint_batch first{}, second{}, third{};
    if (round % 2 == 1) {
      ASSERT_EQ(genint_loader_next_batch(loader, &first), GENINT_OK);
      ASSERT_EQ(genint_loader_next_batch(loader, &second), GENINT_OK);
      expect_failure(genint_loader_next_batch(loader, &third), GENINT_ERROR_INVALID_ARGUMENT, "borrowed");
    }
    EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
  }
}

}  // namespace
