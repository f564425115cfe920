// CPU twin of the last-dimension softmax: rows split across OpenMP threads, the normaliser summed in double.
// The truth the CUDA kernel is compared against.
#include <algorithm>
#include <cmath>
#include <string>

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

}  // namespace genint
