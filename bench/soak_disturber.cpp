// genint-bench soak's world: the temporary JPEG tree and the disturber thread that spoils and restores its files.
// Restores are renames (atomic), so a reader sees either the spoiled file or the whole one, never half a copy.
#include "bench/soak_disturber.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <utility>

#include "nn/core/error.h"

namespace genint::bench {

SoakImageTree::SoakImageTree(int classes, int per_class) {
  base_ = std::filesystem::temp_directory_path() /
          ("genint-soak-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
  root_ = base_ / "tree";
  holding_ = base_ / "holding";
  std::filesystem::create_directories(holding_);
  std::mt19937 generator(7);
  for (int label = 0; label < classes; ++label) {
    const std::filesystem::path folder = root_ / ("class" + std::to_string(label));
    std::filesystem::create_directories(folder);
    for (int image = 0; image < per_class; ++image) {
      // A smooth pattern with a little noise: a few hundred bytes of JPEG, decoded like a photograph's blocks.
      cv::Mat pixels(40, 48, CV_8UC3);
      const int phase = static_cast<int>(generator() % 64);
      for (int row = 0; row < pixels.rows; ++row)
        for (int column = 0; column < pixels.cols; ++column)
          for (int channel = 0; channel < 3; ++channel)
            pixels.at<cv::Vec3b>(row, column)[channel] = static_cast<unsigned char>(
                (row * (channel + 1) * 3 + column * 2 + phase + label * 20 + static_cast<int>(generator() % 8)) % 256);
      files_.push_back(folder / ("image" + std::to_string(image) + ".JPEG"));
      GENINT_CHECK(cv::imwrite(files_.back().string(), pixels),
                   "genint-bench soak: cannot write " + files_.back().string());
    }
  }
}

SoakImageTree::~SoakImageTree() {
  std::error_code ignored;
  std::filesystem::remove_all(base_, ignored);
}

Disturber::Disturber(const SoakImageTree& tree, double max_spoiled_fraction, int pause_ms, std::uint64_t seed)
    : tree_(tree),
      max_spoiled_(static_cast<std::size_t>(max_spoiled_fraction * static_cast<double>(tree.files().size()))),
      pause_ms_(pause_ms),
      is_spoiled_(tree.files().size(), false) {
  spoiled_.reserve(tree.files().size());
  thread_ = std::thread([this, seed] { run(seed); });
}

Disturber::~Disturber() {
  try {
    stop();
  } catch (...) {  // a destructor must not throw; stop() already reported through the caller when it was called
  }
}

void Disturber::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  while (!spoiled_.empty()) restore(spoiled_.back());
}

DisturberCounts Disturber::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counts_;
}

std::size_t Disturber::spoiled_now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return spoiled_.size();
}

void Disturber::run(std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  try {
    while (!stopping_) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        const bool restore_one = !spoiled_.empty() && (spoiled_.size() >= max_spoiled_ || generator() % 2 == 0);
        if (restore_one) {
          restore(spoiled_[generator() % spoiled_.size()]);
        } else if (max_spoiled_ > 0) {
          std::size_t file = generator() % tree_.files().size();
          while (is_spoiled_[file]) file = (file + 1) % tree_.files().size();
          spoil(file, generator() % 3);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms_));
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_ = std::current_exception();
  }
}

// Called with mutex_ held. The saved copy waits in holding/<index>; the tree's file is then removed, emptied or
// cut in place (not atomically: a reader may catch it mid-way, which is the point).
void Disturber::spoil(std::size_t file, std::uint64_t how) {
  const std::filesystem::path& path = tree_.files()[file];
  const std::filesystem::path saved = tree_.holding() / std::to_string(file);
  if (how == 0) {
    std::filesystem::rename(path, saved);
    ++counts_.deleted;
  } else {
    std::filesystem::copy_file(path, saved, std::filesystem::copy_options::overwrite_existing);
    const std::uintmax_t size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, how == 1 ? 0 : size / 3);
    ++(how == 1 ? counts_.emptied : counts_.truncated);
  }
  is_spoiled_[file] = true;
  spoiled_.push_back(file);
}

// Called with mutex_ held.
void Disturber::restore(std::size_t file) {
  std::filesystem::rename(tree_.holding() / std::to_string(file), tree_.files()[file]);
  is_spoiled_[file] = false;
  spoiled_.erase(std::find(spoiled_.begin(), spoiled_.end(), file));
  ++counts_.restored;
}

}  // namespace genint::bench
