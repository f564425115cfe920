// Cross-entropy's dispatch point: the CPU loops or the CUDA kernels on the target's stream.
#include "nn/ops/cross_entropy.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void cross_entropy_forward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                           const float* weights, int batch, int classes, float* sample_losses, float* loss,
                           const MixupTargets& mixup) {
  if (target.on_cpu())
    return cross_entropy_forward_cpu(logits, labels, weights, batch, classes, sample_losses, loss, mixup);
  GENINT_CUDA_CALL(cross_entropy_forward_cuda, logits, labels, weights, batch, classes, sample_losses, loss,
                   target.stream, mixup);
}

void cross_entropy_backward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                            const float* weights, int batch, int classes, float* grad_logits,
                            const MixupTargets& mixup) {
  if (target.on_cpu()) return cross_entropy_backward_cpu(logits, labels, weights, batch, classes, grad_logits, mixup);
  GENINT_CUDA_CALL(cross_entropy_backward_cuda, logits, labels, weights, batch, classes, grad_logits, target.stream,
                   mixup);
}

}  // namespace genint
