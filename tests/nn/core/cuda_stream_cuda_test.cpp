// nn/core's CUDA RAII on a GPU: the device scope puts the caller's device back, owned streams are non-blocking
// (so they do not serialise with the legacy default stream), events order one stream after another, and
// stream-ordered copies through pinned memory arrive whole. Skips where no GPU is present.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "nn/core/cuda_check.h"
#include "nn/core/cuda_stream.h"
#include "nn/core/device_buffer.h"
#include "nn/core/pinned_host_buffer.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

TEST(CudaStreamCuda, DeviceScopePutsTheCallersDeviceBack) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const int last = cuda_device_count() - 1;
  GENINT_CUDA_CHECK(cudaSetDevice(0));
  {
    const CurrentDeviceScope scope(last);
    int current = -1;
    GENINT_CUDA_CHECK(cudaGetDevice(&current));
    EXPECT_EQ(current, last);
    const CudaStream stream(0);  // made on device 0 while `last` is current; the scope's device stays current
    GENINT_CUDA_CHECK(cudaGetDevice(&current));
    EXPECT_EQ(current, last);
  }
  int current = -1;
  GENINT_CUDA_CHECK(cudaGetDevice(&current));
  EXPECT_EQ(current, 0);
}

TEST(CudaStreamCuda, OwnedStreamsAreNonBlockingUnlessAsked) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const CudaStream own(0);
  EXPECT_TRUE(cuda_stream_is_non_blocking(own.get()));
  const CudaStream legacy_ordered(0, StreamOrdering::WithLegacyDefaultStream);
  EXPECT_FALSE(cuda_stream_is_non_blocking(legacy_ordered.get()));
  EXPECT_FALSE(cuda_stream_is_non_blocking(nullptr));
}

// 8 MiB up on one stream, the other stream ordered after it by an event copies it down: every byte must arrive.
TEST(CudaStreamCuda, EventOrdersACopyOnAnotherStream) {
  GENINT_REQUIRE_CUDA_DEVICE();
  constexpr std::size_t bytes = std::size_t{8} << 20;
  PinnedHostBuffer up(bytes), down(bytes);
  auto* source = static_cast<std::uint8_t*>(up.data());
  for (std::size_t index = 0; index < bytes; ++index) source[index] = static_cast<std::uint8_t>(index * 131 + 7);
  std::memset(down.data(), 0, bytes);
  DeviceBuffer device(bytes);
  CudaStream upload(0), download(0);
  CudaEvent uploaded(0, EventWait::Sleep);
  EXPECT_TRUE(uploaded.reached());  // never recorded
  cuda_copy_async(device.data(), up.data(), bytes, upload.get());
  uploaded.record(upload.get());
  download.wait(uploaded);
  cuda_copy_async(down.data(), device.data(), bytes, download.get());
  download.synchronize();
  EXPECT_TRUE(uploaded.reached());
  EXPECT_EQ(std::memcmp(up.data(), down.data(), bytes), 0);
}

// A stream destroyed with work queued drains first: the pinned buffer it writes is complete afterwards.
TEST(CudaStreamCuda, DestructionWaitsForQueuedWork) {
  GENINT_REQUIRE_CUDA_DEVICE();
  constexpr std::size_t bytes = std::size_t{4} << 20;
  DeviceBuffer device(bytes);
  std::vector<std::uint8_t> pattern(bytes, 0x5A);
  device.copy_from_host(pattern.data(), bytes);
  PinnedHostBuffer host(bytes);
  std::memset(host.data(), 0, bytes);
  {
    CudaStream stream(0);
    cuda_copy_async(host.data(), device.data(), bytes, stream.get());
  }
  EXPECT_EQ(std::memcmp(host.data(), pattern.data(), bytes), 0);
}

}  // namespace
}  // namespace genint
