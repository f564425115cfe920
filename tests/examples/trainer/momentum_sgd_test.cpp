// genint-train's optimiser state on disk: steps_taken survives save and load, and a checkpoint whose steps_taken is
// not a whole decimal step count (std::stoll took "12abc" as 12 and "-1" as a count) is refused naming the file.
#include "examples/trainer/momentum_sgd.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_writer.h"
#include "support/temporary_directory.h"

namespace genint::trainer {
namespace {

using genint::testing::TemporaryDirectory;

ResNetConfig small_model() {
  ResNetConfig config;
  config.num_classes = 2;
  config.small_input_stem = true;
  return config;
}

// An optimizer file as MomentumSgd::save writes it (zero buffers), with steps_taken as given.
void write_optimizer_file(const ResNet& model, const std::string& steps_taken, const std::string& path) {
  io::SafetensorsWriter writer;
  for (const ResNetTensor& parameter : model.parameters()) {
    std::vector<std::uint64_t> shape;
    for (int dimension = 0; dimension < parameter.value.rank(); ++dimension)
      shape.push_back(static_cast<std::uint64_t>(parameter.value.size(dimension)));
    writer.add("momentum." + parameter.name, shape,
               std::vector<float>(static_cast<std::size_t>(parameter.value.element_count()), 0.0f));
  }
  writer.set_metadata("steps_taken", steps_taken);
  writer.write_file(path);
}

TEST(MomentumSgd, StepsTakenSurviveSaveAndLoad) {
  const TemporaryDirectory folder("momentum-sgd");
  ResNet model(small_model());
  write_optimizer_file(model, "12", folder.file("twelve.safetensors"));
  MomentumSgd optimizer(model, SgdOptions{0.9f, 0.0f, false});
  optimizer.load(folder.file("twelve.safetensors"));
  EXPECT_EQ(optimizer.steps_taken(), 12);
  optimizer.save(folder.file("saved.safetensors"));
  MomentumSgd restored(model, SgdOptions{0.9f, 0.0f, false});
  restored.load(folder.file("saved.safetensors"));
  EXPECT_EQ(restored.steps_taken(), 12);
}

TEST(MomentumSgd, StepsTakenThatAreNotAStepCountAreRefused) {
  const TemporaryDirectory folder("momentum-sgd");
  ResNet model(small_model());
  MomentumSgd optimizer(model, SgdOptions{0.9f, 0.0f, false});
  for (const std::string steps_taken : {"12abc", "-1", "0x10", "", " 3", "1e3", "99999999999999999999"}) {
    const std::string path = folder.file("bad.safetensors");
    write_optimizer_file(model, steps_taken, path);
    try {
      optimizer.load(path);
      ADD_FAILURE() << "steps_taken \"" << steps_taken << "\" was accepted as " << optimizer.steps_taken();
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("steps_taken"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace genint::trainer
