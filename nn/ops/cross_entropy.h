// Softmax cross-entropy with per-sample weights: loss = Σ_i w_i · CE_i, CE_i = logsumexp(logits_i) − logits_i[y_i].
// The trainer's Eq. 1 loss Σ_s λ_s · mean_{i∈s} CE_i is this with w_i = λ_s / n_s, set by the caller.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// Throws genint::Error naming the sample and the label unless 0 ≤ labels[i] < classes for every i < batch.
void check_class_labels(const std::int32_t* labels, int batch, int classes);

// logits: batch × classes (row-major); labels, weights, sample_losses: batch each. sample_losses receives the
// UNWEIGHTED CE_i (for per-source logging); *loss receives Σ_i weights[i]·CE_i. Log-sum-exp is taken about the
// row maximum, so large logits do not overflow. Bad labels throw (check_class_labels).
void cross_entropy_forward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                               int classes, float* sample_losses, float* loss);
// grad_logits (batch × classes, overwritten) = weights[i]·(softmax(logits_i) − onehot(labels[i])): the
// gradient of the forward's *loss.
void cross_entropy_backward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* grad_logits);

// CUDA twins on device pointers (loss is one device float), queued on `stream` (a cudaStream_t; nullptr =
// default stream); the sum over samples runs in one fixed order, so results are deterministic. Labels live
// on the device, where no exception can be raised without a stall: a label out of range makes that sample's
// loss, the total loss and that sample's gradient row NaN. Callers validate host labels with
// check_class_labels before uploading them.
void cross_entropy_forward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* sample_losses, float* loss, void* stream);
void cross_entropy_backward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                 int classes, float* grad_logits, void* stream);

// Dispatch point: the CPU functions, or their CUDA twins on target.stream (labels and weights on the target).
void cross_entropy_forward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                           const float* weights, int batch, int classes, float* sample_losses, float* loss);
void cross_entropy_backward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                            const float* weights, int batch, int classes, float* grad_logits);

}  // namespace genint
