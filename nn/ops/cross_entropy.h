// Softmax cross-entropy with per-sample weights: loss = Σ_i w_i · CE_i, CE_i = logsumexp(logits_i) − logits_i[y_i],
// or with Mixup's second target CE_i = logsumexp(logits_i) − λ_i·logits_i[y_i] − (1 − λ_i)·logits_i[y′_i].
// The trainer's Eq. 1 loss Σ_s λ_s · mean_{i∈s} CE_i is this with w_i = λ_s / n_s, set by the caller.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// Mixup's second target of each sample (loader/genint.h's genint_batch_extras): sample i's input mixes its own
// image (weight λ_i) with a partner's (1 − λ_i), so its target is λ_i·onehot(y_i) + (1 − λ_i)·onehot(y′_i).
// Both arrays hold `batch` values on the same device as the labels, or both are null: no Mixup, and every
// function below computes exactly (bit for bit) what it computes without this argument.
struct MixupTargets {
  const std::int32_t* partner_labels = nullptr;  // y′_i
  const float* lambdas = nullptr;                // λ_i in [0, 1]: the share of labels[i]
  bool enabled() const { return partner_labels != nullptr; }
};

// Throws genint::Error naming the sample and the label unless 0 ≤ labels[i] < classes for every i < batch.
// `what` names the array in the message ("label", "mixup partner label").
void check_class_labels(const std::int32_t* labels, int batch, int classes, const char* what = "label");
// Host Mixup targets: both arrays or neither, partner labels as check_class_labels, every λ in [0, 1] (NaN
// refused). Throws genint::Error naming the sample.
void check_mixup_targets(const MixupTargets& mixup, int batch, int classes);

// logits: batch × classes (row-major); labels, weights, sample_losses: batch each. sample_losses receives the
// UNWEIGHTED CE_i (for per-source logging); *loss receives Σ_i weights[i]·CE_i. Log-sum-exp is taken about the
// row maximum, so large logits do not overflow. Bad labels, partner labels or λ throw (check_class_labels,
// check_mixup_targets).
void cross_entropy_forward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                               int classes, float* sample_losses, float* loss, const MixupTargets& mixup = {});
// grad_logits (batch × classes, overwritten) = weights[i]·(softmax(logits_i) − λ_i·onehot(labels[i]) −
// (1 − λ_i)·onehot(partner_labels[i])) (λ_i = 1 without Mixup): the gradient of the forward's *loss.
void cross_entropy_backward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* grad_logits, const MixupTargets& mixup = {});

// CUDA twins on device pointers (loss is one device float; mixup's arrays on the device too), queued on `stream`
// (a cudaStream_t; nullptr = default stream); the sum over samples runs in one fixed order, so results are
// deterministic. Labels live on the device, where no exception can be raised without a stall: a label or partner
// label out of range makes that sample's loss, the total loss and that sample's gradient row NaN. Callers validate
// host labels with check_class_labels (and check_mixup_targets) before uploading them.
void cross_entropy_forward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* sample_losses, float* loss, void* stream,
                                const MixupTargets& mixup = {});
void cross_entropy_backward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                 int classes, float* grad_logits, void* stream, const MixupTargets& mixup = {});

// Dispatch point: the CPU functions, or their CUDA twins on target.stream (labels, weights and mixup's arrays on
// the target).
void cross_entropy_forward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                           const float* weights, int batch, int classes, float* sample_losses, float* loss,
                           const MixupTargets& mixup = {});
void cross_entropy_backward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                            const float* weights, int batch, int classes, float* grad_logits,
                            const MixupTargets& mixup = {});

}  // namespace genint
