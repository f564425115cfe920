// genint-gan directions as a subprocess on the tiny golden BigGAN: the files it writes equal what gan/directions
// computes in-process with the same options, a deeper layer works, and bad options are refused without a file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_discovery.h"
#include "gan/directions/direction_set.h"
#include "support/golden_file.h"
#include "support/run_command.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

using testing::max_abs_difference;

const std::string kTinyModel = std::string(GENINT_TEST_DATA_DIR) + "/golden/gan/biggan_tiny.safetensors";

testing::ProgramRun run_directions(const std::string& arguments) {
  return testing::run_command("timeout 120 " GENINT_GAN_PROGRAM " directions --generator " + kTinyModel + " " +
                              arguments + " --quiet");
}

TEST(DirectionsCommand, ClosedFormFileEqualsTheLibrary) {
  const testing::TemporaryDirectory directory("directions-cli");
  const std::string out = directory.file("closed.safetensors");
  const testing::ProgramRun run = run_directions("--out " + out +
                                                 " --method closed-form --components 6 "
                                                 "--classes 2,5 --truncation 0.5");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("\"method\":\"closed_form\""), std::string::npos) << run.output;
  const DirectionSet written = DirectionSet::read(out);
  ClosedFormOptions options;
  options.components = 6;
  options.classes = {2, 5};
  options.truncation = 0.5;
  options.generator_id = biggan_generator_id(kTinyModel);
  const DirectionSet expected = closed_form_directions(BigGanWeights::load(kTinyModel), options);
  EXPECT_EQ(written.generator_id, expected.generator_id);
  EXPECT_EQ(written.layer, "generator.gen_z");
  EXPECT_EQ(written.classes, expected.classes);
  EXPECT_EQ(written.components, 6);
  EXPECT_DOUBLE_EQ(written.truncation, 0.5);
  // Same code, same inputs, one process each: bit-identical.
  EXPECT_EQ(written.latent_directions, expected.latent_directions);
  EXPECT_EQ(written.activation_directions, expected.activation_directions);
  EXPECT_EQ(written.explained_variance, expected.explained_variance);
}

TEST(DirectionsCommand, PcaFileEqualsTheLibraryWithTheSameSeed) {
  const testing::TemporaryDirectory directory("directions-cli");
  const std::string out = directory.file("pca.safetensors");
  const testing::ProgramRun run = run_directions("--out " + out +
                                                 " --samples 600 --regression-samples 300 "
                                                 "--components 4 --classes 3 --seed 5 --batch-size 32 --threads 1");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const DirectionSet written = DirectionSet::read(out);
  EXPECT_EQ(written.method, DirectionMethod::Pca);
  EXPECT_EQ(written.samples, 600u);
  EXPECT_EQ(written.regression_samples, 300u);
  EXPECT_EQ(written.seed, 5u);
  BigGanGenerator generator = BigGanGenerator::load(kTinyModel);
  BigGanActivationSource source(generator);
  PcaDiscoveryOptions options;
  options.components = 4;
  options.samples = 600;
  options.regression_samples = 300;
  options.batch_size = 32;
  options.seed = 5;
  options.classes = {3};
  const DirectionSet expected = discover_pca_directions(source, options);
  // The same samples through the same code; only the thread count of the BLAS calls may differ between the two
  // processes (summation order: ~1e-7 relative on unit vectors). 1e-5 is 100x that, and a different seed or
  // sample count moves these directions by ~0.1.
  EXPECT_LE(max_abs_difference(written.activation_directions, expected.activation_directions), 1e-5f);
  EXPECT_LE(max_abs_difference(written.latent_directions, expected.latent_directions), 1e-5f);
}

TEST(DirectionsCommand, PcaOnADeeperLayer) {
  const testing::TemporaryDirectory directory("directions-cli");
  const std::string out = directory.file("deep.safetensors");
  const testing::ProgramRun run = run_directions("--out " + out +
                                                 " --layer layers.1 --samples 64 "
                                                 "--regression-samples 64 --components 3 --batch-size 16");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const DirectionSet written = DirectionSet::read(out);
  EXPECT_EQ(written.layer, "generator.layers.1");
  const BigGanGenerator generator = BigGanGenerator::load(kTinyModel);
  EXPECT_EQ(written.activation_dimension, biggan_activation_dimension(generator, "generator.layers.1"));
  EXPECT_EQ(written.classes.size(), 10u) << "no --classes means every class";
}

TEST(DirectionsCommand, RefusesBadOptionsWithoutWritingAFile) {
  const testing::TemporaryDirectory directory("directions-cli");
  const std::string out = directory.file("refused.safetensors");
  // Exit 2: bad usage (a value refused for itself, or for this generator's classes); 1: the generator refuses it.
  const std::pair<std::string, int> cases[] = {{"--method svd", 2},
                                               {"--method closed-form --layer layers.1", 2},
                                               {"--method closed-form --samples 10", 2},
                                               {"--classes 10", 2},
                                               {"--classes 1,x", 2},
                                               {"--components 17", 1},
                                               {"--truncation 0", 2},
                                               {"--samples 0", 2},
                                               {"--layer generator.bn", 1},
                                               {"--seed -1", 2},
                                               {"--unknown 3", 2}};
  for (const auto& [arguments, status] : cases) {
    const testing::ProgramRun run = run_directions("--out " + out + " " + arguments);
    EXPECT_EQ(run.exit_status, status) << arguments;
    EXPECT_FALSE(std::filesystem::exists(out)) << arguments;
  }
  const testing::ProgramRun no_out =
      testing::run_command("timeout 60 " GENINT_GAN_PROGRAM " directions --generator " + kTinyModel);
  EXPECT_EQ(no_out.exit_status, 2);
  const testing::ProgramRun help = testing::run_command("timeout 60 " GENINT_GAN_PROGRAM " directions --help");
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_NE(help.output.find("--method"), std::string::npos);
}

}  // namespace
}  // namespace genint
