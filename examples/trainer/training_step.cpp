// genint-train's step on the CPU (in place on the host batch) and on CUDA (on the loader's device batch, queued on
// the model's stream, outcomes through pinned memory). Both compute the Eq. 1 (Mixup) loss once, in the backward.
#include "examples/trainer/training_step.h"

#include <cstring>
#include <exception>
#include <string>

#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/core/log.h"
#include "nn/ops/cross_entropy.h"

namespace genint::trainer {
namespace {

constexpr std::size_t staging_alignment = 256;

// One slot's part of the pinned staging, in 4-byte words: going up, weights [max_batch] | Mixup λ [max_batch] |
// Mixup partner labels [max_batch] (int32); coming back, loss [1] | sample losses [max_batch].
struct StagingLayout {
  std::size_t lambdas, partner_labels, outcome;  // word offsets; the weights start at 0
};
StagingLayout staging_layout(int max_batch) {
  const auto batch = static_cast<std::size_t>(max_batch);
  return StagingLayout{batch, 2 * batch, 3 * batch};
}
std::size_t staging_stride(int max_batch) {
  const std::size_t bytes =
      (staging_layout(max_batch).outcome + 1 + static_cast<std::size_t>(max_batch)) * sizeof(float);
  return (bytes + staging_alignment - 1) / staging_alignment * staging_alignment;
}

// The batch's Mixup targets (host memory, valid until the batch is given back), or none when it is not mixed.
MixupTargets host_mixup_targets(const BorrowedBatch& batch) {
  const genint_batch_extras& extras = batch.extras();
  if (extras.mixup == 0) return MixupTargets{};
  return MixupTargets{extras.mixup_partner_labels, extras.mixup_lambdas};
}

Shape image_shape(const genint_batch& batch) {
  return Shape{batch.size, 3, batch.image_size, batch.image_size};
}

}  // namespace

TrainingStep::TrainingStep(ResNet& model, MomentumSgd& optimizer, int num_classes, int max_batch)
    : model_(model), optimizer_(optimizer), num_classes_(num_classes), max_batch_(max_batch) {
  GENINT_CHECK(max_batch > 0, "genint-train: the batch size must be positive");
  const auto samples = static_cast<std::size_t>(max_batch);
  sample_weights_.resize(samples);
  for (Slot& slot : slots_) slot.sources.resize(samples);
  if (model_.device() == Device::Cpu) {
    for (Slot& slot : slots_) slot.sample_losses.resize(samples);
    return;
  }
  staging_ = PinnedHostBuffer(kSlots * staging_stride(max_batch));
  device_weights_ = DeviceBuffer(samples * sizeof(float));
  // Allocated whether or not the loader mixes: batches do not say so before the first one arrives.
  device_mixup_lambdas_ = DeviceBuffer(samples * sizeof(float));
  device_mixup_partner_labels_ = DeviceBuffer(samples * sizeof(std::int32_t));
  // Sleep: collect() waits for a whole step, and the loader's producers want the core meanwhile.
  for (Slot& slot : slots_) slot.done = CudaEvent(cuda_current_device(), EventWait::Sleep);
}

TrainingStep::~TrainingStep() {
  // Always on CUDA, not only with steps in flight: a submit that threw half-way may have queued work that reads
  // the staging and device buffers freed next, without counting as submitted.
  if (model_.device() == Device::Cpu) return;
  try {
    model_.synchronize();
  } catch (const std::exception& error) {
    GENINT_LOG(Error) << "genint-train: waiting for the steps in flight failed: " << error.what();
  }
}

int TrainingStep::pipeline_depth() const {
  return model_.device() == Device::Cuda && collected_ > 0 ? 1 : 0;
}

void TrainingStep::submit(BorrowedBatch& batch, genint_loader* loader, float learning_rate) {
  GENINT_CHECK(in_flight() < kSlots, "genint-train: " + std::to_string(kSlots) + " steps are already in flight");
  const genint_batch& view = batch.get();
  GENINT_CHECK(view.size > 0 && view.size <= max_batch_, "genint-train: a batch of " + std::to_string(view.size) +
                                                             " samples, the loader's batch size is " +
                                                             std::to_string(max_batch_));
  Slot& slot = slots_[submitted_ % kSlots];
  slot.count = view.size;
  std::memcpy(slot.sources.data(), view.sources, static_cast<std::size_t>(view.size) * sizeof(std::int32_t));
  // Labels are checked on the host copy: on the device a bad one could only turn the loss into NaN.
  check_class_labels(view.labels, view.size, num_classes_);
  const MixupTargets mixup = host_mixup_targets(batch);
  check_mixup_targets(mixup, view.size, num_classes_);
  if (model_.device() == Device::Cpu) {
    submit_cpu(view, mixup, slot, learning_rate);
  } else {
    submit_cuda(batch, loader, mixup, slot, learning_rate);
  }
  ++submitted_;
}

// The images are read where the loader left them (float32) or normalised from its pixels (uint8), no copy.
void TrainingStep::submit_cpu(const genint_batch& batch, const MixupTargets& mixup, Slot& slot, float learning_rate) {
  equation1_sample_weights(batch.sources, batch.weights, batch.size, sample_weights_.data());
  const Tensor images =
      batch.layout == GENINT_LAYOUT_FLOAT32_CHW
          ? Tensor::borrow(const_cast<void*>(batch.images), image_shape(batch), DType::Float32, Device::Cpu)
          : model_.normalize_device_pixels(static_cast<const std::uint8_t*>(batch.images), batch.size, batch.image_size,
                                           batch.image_size);
  model_.forward(images, BatchNormMode::Train);
  const DeviceLoss loss = model_.backward_queued(batch.labels, sample_weights_.data(), batch.size, mixup);
  std::memcpy(slot.sample_losses.data(), loss.sample_losses.data<float>(), loss.sample_losses.byte_count());
  slot.loss = *loss.loss.data<float>();
  optimizer_.step(learning_rate);
}

// Every copy and kernel goes on the model's stream: it waits on the device for the loader's copy of the batch, the
// batch is given back on it after the backward (its last reader), and the outcome leaves on it for pinned memory.
void TrainingStep::submit_cuda(BorrowedBatch& batch, genint_loader* loader, const MixupTargets& host_mixup, Slot& slot,
                               float learning_rate) {
  const genint_batch& view = batch.get();
  void* const stream = model_.config().stream;
  genint_device_batch device{};
  check_status(genint_loader_device_batch(loader, &view, &device), "genint_loader_device_batch");
  check_status(genint_loader_wait_batch_on_stream(loader, &view, stream), "genint_loader_wait_batch_on_stream");
  auto* staging = reinterpret_cast<float*>(static_cast<std::uint8_t*>(staging_.data()) +
                                           static_cast<std::size_t>(submitted_ % kSlots) * staging_stride(max_batch_));
  const StagingLayout layout = staging_layout(max_batch_);
  const auto weight_bytes = static_cast<std::size_t>(view.size) * sizeof(float);
  DeviceLoss loss;
  try {
    equation1_sample_weights(view.sources, view.weights, view.size, staging);
    cuda_copy_async(device_weights_.data(), staging, weight_bytes, stream);
    const MixupTargets device_mixup = upload_mixup_targets(host_mixup, view.size, staging, stream);
    const Tensor images =
        view.layout == GENINT_LAYOUT_FLOAT32_CHW
            ? Tensor::borrow(const_cast<void*>(device.images), image_shape(view), DType::Float32, Device::Cuda)
            : model_.normalize_device_pixels(static_cast<const std::uint8_t*>(device.images), view.size,
                                             view.image_size, view.image_size);
    model_.forward(images, BatchNormMode::Train);
    loss = model_.backward_queued(device.labels, static_cast<const float*>(device_weights_.data()), view.size,
                                  device_mixup);
  } catch (...) {
    // ~BorrowedBatch then gives the batch back by a plain release, which records no event on this stream: the
    // kernels already queued here must be done reading it before the ring may copy the next batch into it.
    try {
      cuda_stream_synchronize(stream);
    } catch (...) {  // the step's own error is the one to report
    }
    throw;
  }
  batch.release_on_stream(stream);
  optimizer_.step(learning_rate);
  float* const outcome = staging + layout.outcome;
  cuda_copy_async(outcome, loss.loss.raw_data(), sizeof(float), stream);
  cuda_copy_async(outcome + 1, loss.sample_losses.raw_data(), weight_bytes, stream);
  slot.done.record(stream);
}

// The slot's staging (pinned) → the device buffers, on the stream; the staging is not rewritten before the slot's
// step is collected, i.e. after these copies ran. Returns the device targets, or none for a batch not mixed.
MixupTargets TrainingStep::upload_mixup_targets(const MixupTargets& host_mixup, int count, float* staging,
                                                void* stream) {
  if (!host_mixup.enabled()) return MixupTargets{};
  const StagingLayout layout = staging_layout(max_batch_);
  const auto bytes = static_cast<std::size_t>(count) * 4;  // float λ and int32 labels alike
  float* const lambdas = staging + layout.lambdas;
  float* const partner_labels = staging + layout.partner_labels;  // int32 values, written as bytes
  std::memcpy(lambdas, host_mixup.lambdas, bytes);
  std::memcpy(partner_labels, host_mixup.partner_labels, bytes);
  cuda_copy_async(device_mixup_lambdas_.data(), lambdas, bytes, stream);
  cuda_copy_async(device_mixup_partner_labels_.data(), partner_labels, bytes, stream);
  return MixupTargets{static_cast<const std::int32_t*>(device_mixup_partner_labels_.data()),
                      static_cast<const float*>(device_mixup_lambdas_.data())};
}

StepOutcome TrainingStep::collect() {
  GENINT_CHECK(in_flight() > 0, "genint-train: no step to collect");
  const std::size_t index = static_cast<std::size_t>(collected_ % kSlots);
  Slot& slot = slots_[index];
  StepOutcome outcome;
  const float* sample_losses = slot.sample_losses.data();
  if (model_.device() == Device::Cpu) {
    outcome.loss = slot.loss;
  } else {
    slot.done.synchronize();
    const auto* staging = reinterpret_cast<const float*>(static_cast<const std::uint8_t*>(staging_.data()) +
                                                         index * staging_stride(max_batch_));
    const std::size_t outcome_offset = staging_layout(max_batch_).outcome;
    outcome.loss = staging[outcome_offset];
    sample_losses = staging + outcome_offset + 1;
  }
  outcome.sources = per_source_losses(slot.sources.data(), sample_losses, slot.count);
  ++collected_;
  return outcome;
}

}  // namespace genint::trainer
