// The generator behind an intervention producer, on the CPU or on a CUDA device (one BigGanGenerator either way).
// Both take host inputs from the same sampler and hand back host images, so everything after the forward (resize,
// quantize, normalize) is shared CPU code.
#include "loader/sources/intervention/source_generator.h"

#include <optional>
#include <utility>

#include "gan/biggan/biggan_generator.h"
#include "nn/core/cuda_stream.h"

namespace genint {
namespace {

class CpuSourceGenerator : public SourceGenerator {
 public:
  CpuSourceGenerator(const BigGanWeights& weights, int max_batch, const std::atomic<bool>* stop_requested)
      : generator_(BigGanWeights(weights)), stop_requested_(stop_requested) {
    generator_.reserve(max_batch);
  }

  int resolution() const override { return generator_.resolution(); }
  bool generate(int batch, const BigGanInputs& inputs, float* host_images) override {
    return generator_.forward(batch, inputs, host_images, stop_requested_);
  }
  void set_activation_hook(BigGanActivationHook hook) override { generator_.set_activation_hook(std::move(hook)); }

 private:
  BigGanGenerator generator_;
  const std::atomic<bool>* stop_requested_;
};

BigGanBackend cuda_backend(const GeneratorBackend& backend, void* stream) {
  return {Device::Cuda, stream,
          backend.precision == GeneratorPrecision::Tf32       ? BigGanPrecision::Tf32
          : backend.precision == GeneratorPrecision::Bfloat16 ? BigGanPrecision::Bf16
                                                              : BigGanPrecision::Float32};
}

// Every CUDA call (upload, forward, copy back, free) runs with the producer's device current: the thread's
// current device is per-thread state, and the producer thread may have been working on another device.
// The resize/quantize/normalize stays on the CPU after one device→host copy per chunk: no nn op twins
// OpenCV's area resize, and one CPU path keeps the GPU source's samples equal to the CPU source's up to the
// forward's rounding. The copy is 3·R² floats per image, small next to the forward.
// The producer's stream is its own and non-blocking: BigGanGenerator queues its weight uploads and per-call copies
// on it, so nothing orders it with the legacy default stream, where a trainer (PyTorch's default stream) would
// otherwise serialise with every generator kernel.
class CudaSourceGenerator : public SourceGenerator {
 public:
  CudaSourceGenerator(const BigGanWeights& weights, const GeneratorBackend& backend, int max_batch,
                      const std::atomic<bool>* stop_requested)
      : device_index_(backend.device_index),
        stream_(backend.device_index, StreamOrdering::NonBlocking),
        stop_requested_(stop_requested) {
    const CurrentDeviceScope scope(device_index_);
    try {
      generator_.emplace(BigGanWeights(weights), cuda_backend(backend, stream_.get()));
      generator_->reserve(max_batch);
    } catch (...) {
      generator_.reset();  // here, while its device is current (the destructor body does not run)
      throw;
    }
  }
  ~CudaSourceGenerator() override {
    // The generator's device memory is freed with its device current, and before stream_ is destroyed.
    release_on_device(device_index_, "intervention source's generator", [this] { generator_.reset(); });
  }
  CudaSourceGenerator(const CudaSourceGenerator&) = delete;
  CudaSourceGenerator& operator=(const CudaSourceGenerator&) = delete;

  int resolution() const override { return generator_->resolution(); }
  bool generate(int batch, const BigGanInputs& inputs, float* host_images) override {
    const CurrentDeviceScope scope(device_index_);
    return generator_->forward_to_host(batch, inputs, host_images, stop_requested_);
  }
  // The hook sees a host copy of each activation (BigGanGenerator copies it around the call).
  void set_activation_hook(BigGanActivationHook hook) override { generator_->set_activation_hook(std::move(hook)); }

 private:
  int device_index_;
  CudaStream stream_;  // destroyed (after draining) once the generator is gone
  const std::atomic<bool>* stop_requested_;
  std::optional<BigGanGenerator> generator_;
};

}  // namespace

std::unique_ptr<SourceGenerator> make_source_generator(const BigGanWeights& weights, const GeneratorBackend& backend,
                                                       int max_batch, const std::atomic<bool>* stop_requested) {
  if (backend.device == Device::Cuda)
    return std::make_unique<CudaSourceGenerator>(weights, backend, max_batch, stop_requested);
  return std::make_unique<CpuSourceGenerator>(weights, max_batch, stop_requested);
}

}  // namespace genint
