// CPU twin of BigGAN's conditional batch norm (eval statistics, per-sample gain and bias) in the reference's order,
// so float32 results track PyTorch closely; the dispatch points at the end run it (then ReLU) or the fused kernel.
#include <cmath>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/conditional_batch_norm.h"
#include "nn/ops/relu.h"

namespace genint {

void check_conditional_batch_norm_shape(const ConditionalBatchNormShape& shape, float eps) {
  GENINT_CHECK(shape.batch >= 0 && shape.channels > 0 && shape.spatial > 0,
               "conditional_batch_norm: batch must be ≥ 0, channels and spatial > 0 (got " +
                   std::to_string(shape.batch) + ", " + std::to_string(shape.channels) + ", " +
                   std::to_string(shape.spatial) + ")");
  GENINT_CHECK(eps > 0.0f, "conditional_batch_norm: eps must be positive (got " + std::to_string(eps) + ")");
}

void conditional_batch_norm_forward_cpu(const float* input, const ConditionalBatchNormShape& shape, const float* mean,
                                        const float* var, const float* gain, const float* bias, float eps,
                                        float* output) {
  check_conditional_batch_norm_shape(shape, eps);
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const auto channel = static_cast<int>(plane % shape.channels);
    const float root = std::sqrt(var[channel] + eps);
    const float* source = input + plane * shape.spatial;
    float* destination = output + plane * shape.spatial;
    for (int position = 0; position < shape.spatial; ++position) {
      destination[position] = (source[position] - mean[channel]) / root * gain[plane] + bias[plane];
    }
  }
}

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
