// genint-train as a subprocess under the faults of long runs: SIGTERM mid-epoch (checkpoint, exit 75, resume bit
// for bit), a second signal, and files deleted or emptied under the loader (warnings, counts, exit 65).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"

namespace genint::examples_testing {
namespace {

namespace fs = std::filesystem;
using genint::testing::TemporaryDirectory;

// Every wait is bounded so that a hang fails the test; the bound is far above a run's few seconds.
constexpr auto kPatience = std::chrono::seconds(240);

// 2 classes × 8 images of 20×20; batches of 4 → 4 batches per epoch.
fs::path make_tiny_set(const fs::path& root) {
  std::mt19937 generator(5);
  for (int label = 0; label < 2; ++label)
    for (int image = 0; image < 8; ++image)
      write_class_jpeg(root / ("class" + std::to_string(label)) / ("i" + std::to_string(image) + ".jpg"), label, 20,
                       generator);
  return root;
}

std::vector<std::string> train_arguments(const fs::path& data, const fs::path& output, int epochs) {
  return {GENINT_TRAIN_PROGRAM,
          "--data",
          data.string(),
          "--image-size",
          "16",
          "--batch-size",
          "4",
          "--loader-threads",
          "2",
          "--seed",
          "3",
          "--output",
          output.string(),
          "--num-classes",
          "2",
          "--small-input-stem",
          "--init-seed",
          "1",
          "--checkpoint-every-epochs",
          "0",
          "--no-progress",
          "--epochs",
          std::to_string(epochs)};
}

// A genint-train process with stdout and stderr in files of `folder`.
class Training {
 public:
  Training(const std::vector<std::string>& arguments, const fs::path& folder, const std::string& name)
      : stdout_path_(folder / (name + ".out")), stderr_path_(folder / (name + ".err")) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      std::vector<char*> argv;
      for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Training() {
    if (pid_ > 0 && !finished_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Waits until `predicate` holds (true) or the process ends first (false).
  template <typename Predicate>
  bool wait_until(Predicate predicate) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < deadline) {
      if (predicate()) return true;
      if (!finished_ && ::waitpid(pid_, &status_, WNOHANG) == pid_) finished_ = true;
      if (finished_) return predicate();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void signal(int number) { ::kill(pid_, number); }
  // The raw wait status, after the process ended (killed after kPatience).
  int wait() {
    if (!wait_until([] { return false; }) && !finished_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      finished_ = true;
      ADD_FAILURE() << "genint-train did not end within the patience";
    }
    return status_;
  }
  int exit_status() {
    const int status = wait();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string standard_output() const { return read_bytes(stdout_path_); }
  std::string standard_error() const { return read_bytes(stderr_path_); }
  nlohmann::json summary() const {
    const std::string text = standard_output();
    return text.empty() ? nlohmann::json() : nlohmann::json::parse(text);
  }

 private:
  fs::path stdout_path_, stderr_path_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool finished_ = false;
};

std::vector<nlohmann::json> read_log(const fs::path& output) {
  std::ifstream file(output / "train-log.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// True once the log holds `steps` complete lines.
auto logged_steps(const fs::path& output, std::size_t steps) {
  return [output, steps] {
    std::ifstream file(output / "train-log.jsonl");
    std::size_t lines = 0;
    for (std::string line; std::getline(file, line) && file.good();) ++lines;  // a line still being written is not
    return lines >= steps;
  };
}

fs::path latest_checkpoint(const fs::path& output) {
  std::ifstream pointer(output / "latest-checkpoint");
  std::string name;
  std::getline(pointer, name);
  return output / "checkpoints" / name;
}

void expect_no_partial_folders(const fs::path& output) {
  for (const auto& entry : fs::directory_iterator(output / "checkpoints"))
    EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << entry.path();
}

TEST(GenintTrainLongRun, SigtermMidEpochCheckpointsAndTheResumeEndsBitForBit) {
  TemporaryDirectory folder("train-sigterm");
  const fs::path data = make_tiny_set(folder.path() / "data");
  Training whole(train_arguments(data, folder.path() / "whole", 2), folder.path(), "whole");  // 8 steps
  ASSERT_EQ(whole.exit_status(), 0) << whole.standard_error();

  const fs::path parts = folder.path() / "parts";
  Training interrupted(train_arguments(data, parts, 2), folder.path(), "interrupted");
  ASSERT_TRUE(interrupted.wait_until(logged_steps(parts, 1))) << interrupted.standard_error();
  interrupted.signal(SIGTERM);
  ASSERT_EQ(interrupted.exit_status(), 75) << interrupted.standard_error();
  const nlohmann::json stopped = interrupted.summary();
  EXPECT_EQ(stopped["stopped_by"], "SIGTERM");
  const std::int64_t steps_before = stopped["steps"].get<std::int64_t>();
  EXPECT_GE(steps_before, 1);
  EXPECT_LT(steps_before, 8);  // stopped mid-run, not at its end
  const fs::path checkpoint = latest_checkpoint(parts);
  EXPECT_EQ(checkpoint.string(), stopped["checkpoint"].get<std::string>());
  std::ifstream state_file(checkpoint / "state.json");
  ASSERT_TRUE(state_file.good()) << checkpoint;
  EXPECT_EQ(nlohmann::json::parse(state_file)["step"], steps_before);
  expect_no_partial_folders(parts);

  std::vector<std::string> resume = train_arguments(data, parts, 2);
  resume.insert(resume.end(), {"--resume", "latest"});
  Training resumed(resume, folder.path(), "resumed");
  ASSERT_EQ(resumed.exit_status(), 0) << resumed.standard_error();
  EXPECT_EQ(resumed.summary()["steps"], 8);
  const fs::path whole_end = whole.summary()["checkpoint"].get<std::string>();
  const fs::path resumed_end = resumed.summary()["checkpoint"].get<std::string>();
  for (const char* file : {"model.safetensors", "optimizer.safetensors", "state.json"}) {
    const std::string expected = read_bytes(whole_end / file);
    ASSERT_FALSE(expected.empty()) << file;
    EXPECT_TRUE(expected == read_bytes(resumed_end / file)) << file << " differs";
  }
  const std::vector<nlohmann::json> log = read_log(parts);
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(log.back().contains("loader_wait_share"));
  EXPECT_TRUE(log.back().contains("skipped"));
}

TEST(GenintTrainLongRun, ASecondSignalEndsTheProcessAtOnce) {
  TemporaryDirectory folder("train-second-signal");
  const fs::path data = make_tiny_set(folder.path() / "data");
  const fs::path output = folder.path() / "run";
  Training training(train_arguments(data, output, 20), folder.path(), "run");
  ASSERT_TRUE(training.wait_until(logged_steps(output, 1))) << training.standard_error();
  training.signal(SIGTERM);
  ASSERT_TRUE(
      training.wait_until([&] { return training.standard_error().find("stop requested") != std::string::npos; }));
  training.signal(SIGINT);
  const int status = training.wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  EXPECT_EQ(WTERMSIG(status), SIGINT);
}

TEST(GenintTrainLongRun, FilesVanishingMidRunAreWarnedAboutAndCounted) {
  TemporaryDirectory folder("train-skips");
  const fs::path data = make_tiny_set(folder.path() / "data");
  const fs::path output = folder.path() / "run";
  std::vector<std::string> arguments = train_arguments(data, output, 3);  // 12 steps
  arguments.insert(arguments.end(), {"--max-skipped-fraction", "0.5"});   // 8 of an epoch's 16 files may go
  Training training(arguments, folder.path(), "run");
  ASSERT_TRUE(training.wait_until(logged_steps(output, 1))) << training.standard_error();
  fs::remove(data / "class0" / "i1.jpg");
  fs::remove(data / "class0" / "i2.jpg");
  std::ofstream(data / "class1" / "i3.jpg", std::ios::trunc).close();
  ASSERT_EQ(training.exit_status(), 0) << training.standard_error();

  const std::string errors = training.standard_error();
  std::size_t warnings = 0;
  for (std::size_t at = errors.find("warning:"); at != std::string::npos; at = errors.find("warning:", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 2u) << errors;  // one per reason: the deleted files and the emptied one
  EXPECT_NE(errors.find("i1.jpg"), std::string::npos) << errors;
  const std::vector<nlohmann::json> log = read_log(output);
  ASSERT_EQ(log.size(), 12u);
  EXPECT_EQ(log.front()["skipped"][0]["skipped"], 0);
  const nlohmann::json& last = log.back()["skipped"][0];
  EXPECT_EQ(last["kind"], "natural");
  EXPECT_GE(last["skipped"].get<int>(), 3);
  EXPECT_GE(last["reasons"]["unreadable"].get<int>(), 2);
  EXPECT_GE(last["reasons"]["empty"].get<int>(), 1);
  // The summary reads the counts after the last line was written: the loader may have skipped more since.
  const nlohmann::json summary = training.summary()["skipped"][0];
  EXPECT_GE(summary["skipped"].get<int>(), last["skipped"].get<int>());
  EXPECT_GE(summary["reasons"]["unreadable"].get<int>(), 2);
}

TEST(GenintTrainLongRun, TooManySkippedFilesStopTheRunAfterACheckpoint) {
  TemporaryDirectory folder("train-skip-limit");
  const fs::path data = make_tiny_set(folder.path() / "data");
  const fs::path output = folder.path() / "run";
  Training training(train_arguments(data, output, 3), folder.path(), "run");  // the default 0.01: none may go
  ASSERT_TRUE(training.wait_until(logged_steps(output, 1))) << training.standard_error();
  fs::remove(data / "class0" / "i1.jpg");
  ASSERT_EQ(training.exit_status(), 65) << training.standard_error();
  const std::string errors = training.standard_error();
  EXPECT_NE(errors.find("error:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("--max-skipped-fraction"), std::string::npos) << errors;
  EXPECT_NE(errors.find("unreadable"), std::string::npos) << errors;
  EXPECT_NE(errors.find("i1.jpg"), std::string::npos) << errors;
  const nlohmann::json summary = training.summary();
  EXPECT_EQ(summary["stopped_by"], "max-skipped-fraction");
  EXPECT_LT(summary["steps"].get<int>(), 12);
  const fs::path checkpoint = latest_checkpoint(output);
  EXPECT_EQ(checkpoint.string(), summary["checkpoint"].get<std::string>());
  std::ifstream state_file(checkpoint / "state.json");
  ASSERT_TRUE(state_file.good()) << checkpoint;
  EXPECT_EQ(nlohmann::json::parse(state_file)["step"], summary["steps"]);
  expect_no_partial_folders(output);
}

}  // namespace
}  // namespace genint::examples_testing
