// nn/core's CUDA RAII where no GPU may be present: empty objects are inert and movable, and creating a stream,
// an event, a device scope or pinned memory is either done or refused with a message saying why.
#include "nn/core/cuda_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "nn/core/device.h"
#include "nn/core/error.h"
#include "nn/core/pinned_host_buffer.h"

namespace genint {
namespace {

template <typename Make>
std::string refusal(Make make) {
  try {
    make();
  } catch (const Error& error) {
    return error.what();
  }
  return "(accepted)";
}

// What a machine without a usable device must answer: the CPU-only build names the configure flag, a CUDA build
// without a GPU names the missing device; with a GPU the object is made.
void expect_refused_where_it_cannot_run(const std::string& message) {
  if (!cuda_backend_built()) {
    EXPECT_NE(message.find("-DGENINT_CUDA=ON"), std::string::npos) << message;
  } else if (cuda_device_count() == 0) {
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  } else {
    EXPECT_EQ(message, "(accepted)");
  }
}

TEST(CudaStream, EmptyObjectsAreInertAndMove) {
  CudaStream stream;
  EXPECT_EQ(stream.get(), nullptr);
  EXPECT_EQ(stream.device_index(), -1);
  CudaStream moved(std::move(stream));
  EXPECT_EQ(moved.get(), nullptr);
  CudaEvent event;
  EXPECT_EQ(event.get(), nullptr);
  CudaEvent moved_event = std::move(event);
  EXPECT_EQ(moved_event.get(), nullptr);
  PinnedHostBuffer pinned;
  EXPECT_EQ(pinned.data(), nullptr);
  EXPECT_EQ(pinned.bytes(), 0u);
  // Waiting with an empty stream or event is a usage error, not a crash.
  EXPECT_THROW(moved.synchronize(), Error);
  EXPECT_THROW(moved_event.synchronize(), Error);
}

TEST(CudaStream, CreationIsDoneOrRefusedWithTheReason) {
  expect_refused_where_it_cannot_run(refusal([] { CudaStream stream(0); }));
  expect_refused_where_it_cannot_run(refusal([] { CudaEvent event(0, EventWait::Sleep); }));
  if (!cuda_backend_built()) {
    EXPECT_NE(refusal([] { CurrentDeviceScope scope(0); }).find("-DGENINT_CUDA=ON"), std::string::npos);
    EXPECT_NE(refusal([] { PinnedHostBuffer pinned(64); }).find("-DGENINT_CUDA=ON"), std::string::npos);
  }
}

TEST(CudaStream, ADeviceBeyondTheMachineIsNamed) {
  const std::string message = refusal([] { CudaStream stream(1024); });
  if (cuda_backend_built()) {
    EXPECT_NE(message.find("CUDA device 1024 does not exist"), std::string::npos) << message;
  } else {
    EXPECT_NE(message.find("-DGENINT_CUDA=ON"), std::string::npos) << message;
  }
}

// A destructor's release runs exactly once, and nothing escapes, whether or not the device can be selected (device
// 1024 never can; device 0 can only on a machine with a GPU).
TEST(CudaStream, ReleaseOnDeviceRunsTheReleaseOnceAndNeverThrows) {
  for (const int device : {1024, 0}) {
    int runs = 0;
    EXPECT_NO_THROW(release_on_device(device, "test owner", [&runs] { ++runs; }));
    EXPECT_EQ(runs, 1) << "device " << device;
  }
}

}  // namespace
}  // namespace genint
