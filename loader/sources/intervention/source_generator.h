// The BigGAN-deep forward an intervention producer runs: on the CPU (stoppable between modules, activation
// hooks for the activation spaces) or on a CUDA device (its own stream, images copied to the host per chunk).
#pragma once

#include <atomic>
#include <memory>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_weights.h"
#include "nn/core/device.h"

namespace genint {

enum class GeneratorPrecision { Float32, Tf32, Bfloat16 };  // "precision": "float32" | "tf32" | "bf16"

// Where and how the forward runs ("device", "device_index", "precision" of an intervention source entry).
struct GeneratorBackend {
  Device device = Device::Cpu;
  int device_index = 0;                                        // Cuda only
  GeneratorPrecision precision = GeneratorPrecision::Float32;  // Cuda only: the CPU forward is float32
};

class SourceGenerator {
 public:
  virtual ~SourceGenerator() = default;
  virtual int resolution() const = 0;
  // host_images: [batch, 3, resolution, resolution] in host memory. Returns false when the stop flag fired
  // before the images were written (then they are not).
  virtual bool generate(int batch, const BigGanInputs& inputs, float* host_images) = 0;
  // Activation-space edits run inside the forward. Both forwards take hooks (on CUDA each hooked activation is
  // copied to the host and back); the config still refuses activation spaces on "cuda".
  virtual void set_activation_hook(BigGanActivationHook hook) = 0;
};

// Copies `weights` into a generator sized for `max_batch`. `stop_requested` (may be null) is what the forward
// checks between modules.
// Throws genint::Error when the backend cannot be used (no CUDA backend, no such device).
std::unique_ptr<SourceGenerator> make_source_generator(const BigGanWeights& weights, const GeneratorBackend& backend,
                                                       int max_batch, const std::atomic<bool>* stop_requested);

}  // namespace genint
