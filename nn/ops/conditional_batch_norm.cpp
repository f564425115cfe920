// The conditional batch norm's dispatch point: the CPU function (then ReLU) or the fused CUDA kernel.
#include "nn/ops/conditional_batch_norm.h"

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/relu.h"

namespace genint {
namespace {

[[noreturn]] void throw_bfloat16_on_cpu() {
  throw Error("conditional_batch_norm: bfloat16 storage runs on CUDA only (the CPU twin keeps bf16 values in float32)",
              Status::InvalidArgument);
}

}  // namespace

void conditional_batch_norm_forward(const OpTarget& target, const float* input, const ConditionalBatchNormShape& shape,
                                    const ConditionalBatchNormParameters& parameters, float* output) {
  if (!target.on_cpu()) {
    GENINT_CUDA_CALL(conditional_batch_norm_forward_cuda, input, shape, parameters, output, target.stream);
    return;
  }
  conditional_batch_norm_forward_cpu(input, shape, parameters.mean, parameters.var, parameters.gain, parameters.bias,
                                     parameters.eps, output);
  if (parameters.relu)
    relu_forward_cpu(output, static_cast<std::int64_t>(shape.batch) * shape.channels * shape.spatial, output);
}

void conditional_batch_norm_forward(const OpTarget& target, const float* input, const ConditionalBatchNormShape& shape,
                                    const ConditionalBatchNormParameters& parameters, std::uint16_t* output) {
  if (target.on_cpu()) throw_bfloat16_on_cpu();
  GENINT_CUDA_CALL(conditional_batch_norm_forward_cuda, input, shape, parameters, output, target.stream);
}

void conditional_batch_norm_forward(const OpTarget& target, const std::uint16_t* input,
                                    const ConditionalBatchNormShape& shape,
                                    const ConditionalBatchNormParameters& parameters, std::uint16_t* output) {
  if (target.on_cpu()) throw_bfloat16_on_cpu();
  GENINT_CUDA_CALL(conditional_batch_norm_forward_cuda, input, shape, parameters, output, target.stream);
}

}  // namespace genint
