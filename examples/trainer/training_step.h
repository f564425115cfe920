// One genint-train step on the model's device: the batch's images, Eq. 1 weights and Mixup targets in, forward, the
// loss and its gradient computed once (ResNet::backward_queued), SGD; per-sample losses come back for the report.
#pragma once

#include <cstdint>
#include <genint.hpp>
#include <vector>

#include "examples/trainer/momentum_sgd.h"
#include "examples/trainer/source_weighting.h"
#include "nn/core/cuda_stream.h"
#include "nn/core/device_buffer.h"
#include "nn/core/pinned_host_buffer.h"
#include "nn/models/resnet.h"
#include "nn/ops/cross_entropy.h"

namespace genint::trainer {

struct StepOutcome {
  double loss = 0.0;  // the Eq. 1 loss that was minimised (with Mixup: Σ_i w_i·(λ_i·CE(y_i) + (1 − λ_i)·CE(y′_i)))
  SourceLosses sources;
};

// CPU: submit() runs the step on the host batch (the images are read in place, not copied).
// CUDA: the batch comes from the loader's device output; submit() queues the step on the model's stream (ordered
// after the batch's copy, the batch given back on that stream after its last read) and returns; the outcome is
// copied into pinned memory on the stream, so up to kSlots steps can be in flight while the host fetches and
// queues the next one. Nothing is allocated after construction.
// Mixup: when the loader mixes batches (genint_batch_extras.mixup), each sample's loss is λ_i·CE(labels[i]) +
// (1 − λ_i)·CE(mixup_partner_labels[i]) (the images are already mixed); the CPU step reads the extras in place, the
// CUDA step uploads them through the pinned staging.
class TrainingStep {
 public:
  static constexpr int kSlots = 2;

  // max_batch: the loader's batch size. The model's stream (config().stream) must belong to the loader's output
  // device on CUDA.
  TrainingStep(ResNet& model, MomentumSgd& optimizer, int num_classes, int max_batch);
  ~TrainingStep();  // CUDA: waits for the work queued on the model's stream; never throws
  TrainingStep(const TrainingStep&) = delete;
  TrainingStep& operator=(const TrainingStep&) = delete;

  // Runs or queues one step on `batch` and gives the batch back (on CUDA on the model's stream, once the step's
  // work no longer reads it). At most kSlots steps may be submitted and not yet collected.
  void submit(BorrowedBatch& batch, genint_loader* loader, float learning_rate);
  // Steps submitted and not yet collected.
  int in_flight() const { return submitted_ - collected_; }
  // The oldest uncollected step's outcome; on CUDA waits (sleeping) for that step to finish.
  StepOutcome collect();
  // How many steps the caller should leave in flight before collecting: 0 on the CPU and until the first CUDA
  // step is done (its arena and cuDNN plans settle then), 1 afterwards.
  int pipeline_depth() const;

 private:
  struct Slot {
    int count = 0;
    std::vector<std::int32_t> sources;  // the batch's, kept: the host batch is given back before collect()
    std::vector<float> sample_losses;   // CPU outcome
    float loss = 0.0f;                  // CPU outcome
    CudaEvent done;                     // CUDA: recorded after the outcome's copy
  };
  void submit_cpu(const genint_batch& batch, const MixupTargets& mixup, Slot& slot, float learning_rate);
  void submit_cuda(BorrowedBatch& batch, genint_loader* loader, const MixupTargets& host_mixup, Slot& slot,
                   float learning_rate);
  // CUDA: the host Mixup targets through the slot's `staging` to the device buffers on `stream` (none: none).
  MixupTargets upload_mixup_targets(const MixupTargets& host_mixup, int count, float* staging, void* stream);

  ResNet& model_;
  MomentumSgd& optimizer_;
  int num_classes_;
  int max_batch_;
  Slot slots_[kSlots];
  std::int64_t submitted_ = 0, collected_ = 0;
  std::vector<float> sample_weights_;  // Eq. 1 weights, host (CPU path)
  // CUDA only, one part per slot: the Eq. 1 weights, Mixup's λ and partner labels going up, then [loss, sample
  // losses] coming back (staging_layout in the .cpp).
  PinnedHostBuffer staging_;
  DeviceBuffer device_weights_, device_mixup_lambdas_, device_mixup_partner_labels_;
};

}  // namespace genint::trainer
