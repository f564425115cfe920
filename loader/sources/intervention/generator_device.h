// The CUDA device and stream one intervention producer runs its generator on, with no CUDA header in sight:
// the stream is a void* (cudaStream_t); in a CPU-only build construction throws saying the backend is absent.
#pragma once

namespace genint {

// Makes a CUDA device the calling thread's current one for the scope's life and then puts the previous one
// back: the producer may be built on a thread that works on another device (a test, a trainer's thread).
class CurrentDeviceScope {
 public:
  explicit CurrentDeviceScope(int device_index);
  ~CurrentDeviceScope();  // never throws; a failure to switch back is logged
  CurrentDeviceScope(const CurrentDeviceScope&) = delete;
  CurrentDeviceScope& operator=(const CurrentDeviceScope&) = delete;

 private:
  int previous_ = 0;
  bool switched_ = false;
};

// One blocking stream (ordered after the legacy default stream, which the generator's blocking cudaMemcpy
// calls use) on a chosen device, owned by one producer.
class GeneratorDevice {
 public:
  // Throws genint::Error naming the index when the device does not exist or the build has no CUDA backend.
  explicit GeneratorDevice(int device_index);
  ~GeneratorDevice();  // waits for the stream's work, then destroys it; never throws
  GeneratorDevice(const GeneratorDevice&) = delete;
  GeneratorDevice& operator=(const GeneratorDevice&) = delete;

  int index() const { return index_; }
  void* stream() const { return stream_; }

 private:
  int index_ = 0;
  void* stream_ = nullptr;
};

}  // namespace genint
