// CPU twin of the last-dimension softmax: rows split across OpenMP threads, the normaliser summed in double.
// The truth the CUDA kernel is compared against; the dispatch point at the end runs one or the other by OpTarget.
#include <algorithm>
#include <cmath>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/softmax.h"

namespace genint {

void softmax_forward_cpu(const float* input, std::int64_t rows, int columns, float* output) {
  GENINT_CHECK(rows >= 0 && columns > 0, "softmax_forward: rows must be ≥ 0 and columns > 0 (got " +
                                             std::to_string(rows) + ", " + std::to_string(columns) + ")");
#pragma omp parallel for schedule(static)
  for (std::int64_t row = 0; row < rows; ++row) {
    const float* source = input + row * columns;
    float* destination = output + row * columns;
    const float maximum = *std::max_element(source, source + columns);
    double sum = 0.0;
    for (int column = 0; column < columns; ++column) sum += std::exp(static_cast<double>(source[column] - maximum));
    const double inverse_sum = 1.0 / sum;
    for (int column = 0; column < columns; ++column) {
      destination[column] = static_cast<float>(std::exp(static_cast<double>(source[column] - maximum)) * inverse_sum);
    }
  }
}

void softmax_forward(const OpTarget& target, const float* input, std::int64_t rows, int columns, float* output) {
  if (target.on_cpu()) return softmax_forward_cpu(input, rows, columns, output);
  GENINT_CUDA_CALL(softmax_forward_cuda, input, rows, columns, output, target.stream);
}

}  // namespace genint
