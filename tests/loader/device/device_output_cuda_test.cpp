// The loader's device output against its host batches (the truth): every batch's device images, labels and
// weights equal the host's byte for byte, in both modes, while slots are reused and batches are held.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "loader/device/device_batch_ring.h"
#include "loader/pipeline/loader_pipeline.h"
#include "loader/support/synthetic_source.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "support/cuda_test_support.h"

namespace genint::loader {
namespace {

using testing::SyntheticSource;
using testing::SyntheticSourceOptions;

// 32×32 RGB: large enough that a copy is real DMA work, small enough for 40 batches in well under a second.
constexpr std::size_t sample_bytes = 32 * 32 * 3;

std::unique_ptr<LoaderPipeline> make_device_pipeline(bool deterministic, int batches_in_flight) {
  PipelineOptions options;
  options.seed = 11;
  options.deterministic = deterministic;
  options.sample_bytes = sample_bytes;
  options.batches_in_flight = batches_in_flight;
  options.pinned_memory = true;
  options.output_device = 0;
  SyntheticSourceOptions natural;
  natural.kind = SourceKind::Natural;
  natural.items = 997;
  natural.sample_bytes = sample_bytes;
  SyntheticSourceOptions generated;
  generated.kind = SourceKind::Intervention;
  generated.sample_bytes = sample_bytes;
  generated.chunk = 3;
  std::vector<PipelineSource> sources(2);
  sources[0].source = std::make_unique<SyntheticSource>(natural);
  sources[0].count = 5;
  sources[0].threads = 2;
  sources[1].source = std::make_unique<SyntheticSource>(generated);
  sources[1].count = 3;
  sources[1].weight = 0.25f;
  sources[1].threads = 2;
  return std::make_unique<LoaderPipeline>(options, std::move(sources));
}

struct HostCopy {
  std::vector<std::uint8_t> images;
  std::vector<std::int32_t> labels;
  std::vector<float> weights;
};

HostCopy host_copy(const BatchView& batch) {
  const auto size = static_cast<std::size_t>(batch.size);
  HostCopy copy;
  copy.images.assign(batch.images, batch.images + size * sample_bytes);
  copy.labels.assign(batch.labels, batch.labels + size);
  copy.weights.assign(batch.weights, batch.weights + size);
  return copy;
}

// Orders the default stream after the batch's copy, then reads the device memory back through it.
HostCopy device_copy(const LoaderPipeline& pipeline, const BatchView& batch) {
  pipeline.wait_batch_on_stream(batch.ring_slot, batch.index, nullptr);
  const DeviceBatchPointers device = pipeline.device_batch(batch.ring_slot, batch.index);
  const auto size = static_cast<std::size_t>(batch.size);
  HostCopy copy;
  copy.images.resize(size * sample_bytes);
  copy.labels.resize(size);
  copy.weights.resize(size);
  copy_device_bytes_to_host(device.device_index, device.images, copy.images.data(), copy.images.size());
  copy_device_bytes_to_host(device.device_index, device.labels, copy.labels.data(), size * sizeof(std::int32_t));
  copy_device_bytes_to_host(device.device_index, device.weights, copy.weights.data(), size * sizeof(float));
  return copy;
}

void expect_equal(const HostCopy& host, const HostCopy& device, std::uint64_t batch_index) {
  // Exact: a copy moves bytes, nothing is computed.
  EXPECT_TRUE(host.images == device.images) << "images of batch " << batch_index;
  EXPECT_EQ(host.labels, device.labels) << "batch " << batch_index;
  EXPECT_EQ(host.weights, device.weights) << "batch " << batch_index;
}

class DeviceOutput : public ::testing::TestWithParam<bool> {};

TEST_P(DeviceOutput, DeviceBatchesEqualHostBatchesWhileSlotsAreReused) {
  GENINT_REQUIRE_CUDA_DEVICE();
  auto pipeline = make_device_pipeline(GetParam(), 3);
  EXPECT_EQ(pipeline->output_device(), 0);
  for (std::uint64_t index = 0; index < 40; ++index) {
    const BatchView batch = pipeline->next_batch();
    ASSERT_EQ(batch.index, index);
    ASSERT_EQ(batch.device.device_index, 0);
    ASSERT_NE(batch.device.images, nullptr);
    ASSERT_NE(batch.device.copy_done_event, nullptr);
    expect_equal(host_copy(batch), device_copy(*pipeline, batch), index);
    EXPECT_FLOAT_EQ(batch.weights[7], 0.25f);  // the generated source's λ reached the copied weights too
    // Both release paths: on a stream (the device-side ordering), and plain.
    if (index % 2 == 0)
      pipeline->release_batch_on_stream(batch.ring_slot, batch.index, nullptr);
    else
      pipeline->release_batch(batch.ring_slot, batch.index);
  }
}

TEST_P(DeviceOutput, AHeldBatchIsNeverOverwrittenByLaterCopies) {
  GENINT_REQUIRE_CUDA_DEVICE();
  auto pipeline = make_device_pipeline(GetParam(), 4);
  const BatchView held = pipeline->next_batch();
  const HostCopy held_host = host_copy(held);
  // Arrival mode: the other three slots go round four times while `held` stays borrowed. Deterministic mode
  // hands batches out in order, so batch 4 needs the held slot: only the three before it can come.
  const int others = GetParam() ? 3 : 12;
  for (int index = 0; index < others; ++index) {
    const BatchView batch = pipeline->next_batch();
    ASSERT_NE(batch.ring_slot, held.ring_slot);
    expect_equal(host_copy(batch), device_copy(*pipeline, batch), batch.index);
    pipeline->release_batch_on_stream(batch.ring_slot, batch.index, nullptr);
  }
  expect_equal(held_host, device_copy(*pipeline, held), held.index);
  pipeline->release_batch(held.ring_slot, held.index);
}

INSTANTIATE_TEST_SUITE_P(Modes, DeviceOutput, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& mode) {
                           return mode.param ? "deterministic" : "arrival";
                         });

TEST(DeviceOutputMisuse, ReleasedBatchesAndPageableBuffersAreRefused) {
  GENINT_REQUIRE_CUDA_DEVICE();
  auto pipeline = make_device_pipeline(true, 2);
  const BatchView batch = pipeline->next_batch();
  pipeline->release_batch_on_stream(batch.ring_slot, batch.index, nullptr);
  EXPECT_THROW(pipeline->wait_batch_on_stream(batch.ring_slot, batch.index, nullptr), MisuseError);
  EXPECT_THROW(pipeline->release_batch_on_stream(batch.ring_slot, batch.index, nullptr), MisuseError);
  EXPECT_THROW(pipeline->device_batch(batch.ring_slot + 7, batch.index), MisuseError);
  PipelineOptions pageable;
  pageable.sample_bytes = sample_bytes;
  pageable.output_device = 0;
  std::vector<PipelineSource> sources(1);
  SyntheticSourceOptions generated;
  generated.sample_bytes = sample_bytes;
  sources[0].source = std::make_unique<SyntheticSource>(generated);
  sources[0].count = 2;
  EXPECT_THROW(std::make_unique<LoaderPipeline>(pageable, std::move(sources)), Error);
}

TEST(DeviceOutputShutdown, DestroyWithCopiesInFlightAndBatchesBorrowed) {
  GENINT_REQUIRE_CUDA_DEVICE();
  for (int round = 0; round < 10; ++round) {
    auto pipeline = make_device_pipeline(round % 2 == 0, 3);
    if (round % 3 != 0) {
      const BatchView batch = pipeline->next_batch();
      pipeline->wait_batch_on_stream(batch.ring_slot, batch.index, nullptr);
    }
    pipeline.reset();  // must drain the loader's stream before the pinned host ring is freed
  }
  cuda_synchronize();  // throws if a copy left the device in an error state
}

}  // namespace
}  // namespace genint::loader
