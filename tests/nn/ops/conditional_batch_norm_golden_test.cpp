// BigGAN-deep's conditional batch norm forward against PyTorch 1.13 (BigGANBatchNorm's formula, eps 1e-4).
#include <gtest/gtest.h>

#include <vector>

#include "nn/core/error.h"
#include "nn/ops/conditional_batch_norm.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(ConditionalBatchNormGolden, ForwardMatchesTorch) {
  const auto golden = testing::open_nn_golden("conditional_batch_norm");
  ConditionalBatchNormShape shape;
  shape.batch = golden.dimension("input", 0);
  shape.channels = golden.dimension("input", 1);
  shape.spatial = golden.dimension("input", 2) * golden.dimension("input", 3);
  const auto input = golden.read<float>("input");
  std::vector<float> output(input.size());
  conditional_batch_norm_forward_cpu(input.data(), shape, golden.read<float>("mean").data(),
                                     golden.read<float>("var").data(), golden.read<float>("gain").data(),
                                     golden.read<float>("bias").data(), golden.read<float>("eps")[0], output.data());
  // Same float32 operations in the same order as torch's eager code: equal up to 1 ulp (fma contraction).
  testing::expect_all_close(output, golden.read<float>("output"), 1e-6, 1e-6, "output");
}

TEST(ConditionalBatchNorm, RejectsNonPositiveEps) {
  float value = 0.0f;
  EXPECT_THROW(conditional_batch_norm_forward_cpu(&value, {1, 1, 1}, &value, &value, &value, &value, 0.0f, &value),
               Error);
}

}  // namespace
}  // namespace genint
