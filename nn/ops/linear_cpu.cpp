// CPU linear: three sgemm calls (forward, input grad, weight grad) and a column sum for the bias.
// OpenBLAS threads the GEMMs itself; the bias loops are light enough to stay serial.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/gemm.h"
#include "nn/ops/linear.h"

namespace genint {

void LinearShape::validate() const {
  GENINT_CHECK(rows >= 0 && in_features > 0 && out_features > 0,
               "linear: rows=" + std::to_string(rows) + " in_features=" + std::to_string(in_features) +
                   " out_features=" + std::to_string(out_features) + " (features must be positive)");
}

void linear_forward_cpu(const LinearShape& shape, const float* input, const float* weight, const float* bias,
                        float* output) {
  shape.validate();
  gemm_cpu(false, true, shape.rows, shape.out_features, shape.in_features, 1.0f, input, shape.in_features, weight,
           shape.in_features, 0.0f, output, shape.out_features);
  if (bias == nullptr) return;
  for (int row = 0; row < shape.rows; ++row) {
    float* destination = output + static_cast<std::int64_t>(row) * shape.out_features;
    for (int feature = 0; feature < shape.out_features; ++feature) destination[feature] += bias[feature];
  }
}

void linear_backward_cpu(const LinearShape& shape, const float* input, const float* weight, const float* output_grad,
                         float* input_grad, float* weight_grad, float* bias_grad) {
  shape.validate();
  if (input_grad != nullptr)  // dx = dy · W
    gemm_cpu(false, false, shape.rows, shape.in_features, shape.out_features, 1.0f, output_grad, shape.out_features,
             weight, shape.in_features, 0.0f, input_grad, shape.in_features);
  // dW = dyᵀ · x
  gemm_cpu(true, false, shape.out_features, shape.in_features, shape.rows, 1.0f, output_grad, shape.out_features, input,
           shape.in_features, 0.0f, weight_grad, shape.in_features);
  if (bias_grad == nullptr) return;
  for (int feature = 0; feature < shape.out_features; ++feature) bias_grad[feature] = 0.0f;
  for (int row = 0; row < shape.rows; ++row) {
    const float* source = output_grad + static_cast<std::int64_t>(row) * shape.out_features;
    for (int feature = 0; feature < shape.out_features; ++feature) bias_grad[feature] += source[feature];
  }
}

}  // namespace genint
