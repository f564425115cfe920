// tanh against PyTorch 1.13's torch.tanh (inputs of spread ~3, so both tails are exercised).
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/tanh.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(TanhGolden, MatchesTorch) {
  const auto golden = testing::open_nn_golden("tanh");
  const auto input = golden.read<float>("input");
  std::vector<float> output(input.size());
  tanh_forward_cpu(input.data(), static_cast<std::int64_t>(input.size()), output.data());
  // torch vectorises tanh (SLEEF, ≤ 1 ulp) while glibc's tanhf is correctly rounded or nearly: 2 ulps of ≤ 1.
  testing::expect_all_close(output, golden.read<float>("output"), 2.5e-7, 0.0, "output");
}

}  // namespace
}  // namespace genint
