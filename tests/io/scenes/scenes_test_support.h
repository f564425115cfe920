// Helpers for the fashion-scenes tests: the shared temporary directory, IDX files written plain or gzipped, and a small
// synthetic Fashion-MNIST (class-specific shapes) made in memory, so no test needs the Debian package.
#pragma once

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/scenes/idx_file.h"
#include "support/temporary_directory.h"

namespace genint::io::scenes::testing {

using ::genint::testing::TemporaryDirectory;

inline void append_big_endian(std::string& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((value >> shift) & 0xFF));
}

inline std::string idx_images_bytes(const IdxImages& images) {
  std::string bytes;
  append_big_endian(bytes, 0x00000803u);
  append_big_endian(bytes, static_cast<std::uint32_t>(images.count));
  append_big_endian(bytes, static_cast<std::uint32_t>(images.rows));
  append_big_endian(bytes, static_cast<std::uint32_t>(images.columns));
  bytes.append(images.pixels.begin(), images.pixels.end());
  return bytes;
}

inline std::string idx_labels_bytes(const std::vector<std::uint8_t>& labels) {
  std::string bytes;
  append_big_endian(bytes, 0x00000801u);
  append_big_endian(bytes, static_cast<std::uint32_t>(labels.size()));
  bytes.append(labels.begin(), labels.end());
  return bytes;
}

inline void write_file(const std::string& path, const std::string& bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot create " + path);
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// `per_class` items of every class, 28x28: a bright rectangle whose width and height depend on the class,
// with a little per-item shading so items differ.
inline LabelledImages synthetic_half(int per_class) {
  LabelledImages half;
  half.images.rows = 28;
  half.images.columns = 28;
  half.images.count = static_cast<std::size_t>(per_class) * 10;
  half.images.pixels.assign(half.images.count * 28 * 28, 0);
  for (std::size_t item = 0; item < half.images.count; ++item) {
    const int label = static_cast<int>(item % 10);  // interleaved, as in the real files
    half.labels.push_back(static_cast<std::uint8_t>(label));
    const int width = 6 + 2 * label, height = 24 - label;
    for (int row = (28 - height) / 2; row < (28 + height) / 2; ++row)
      for (int column = (28 - width) / 2; column < (28 + width) / 2; ++column)
        half.images.pixels[item * 784 + static_cast<std::size_t>(row) * 28 + static_cast<std::size_t>(column)] =
            static_cast<std::uint8_t>(120 + (item * 7 + static_cast<std::size_t>(row) * 3) % 130);
  }
  return half;
}

inline FashionMnist synthetic_fashion_mnist(int train_per_class, int test_per_class) {
  FashionMnist data;
  data.train = synthetic_half(train_per_class);
  data.test = synthetic_half(test_per_class);
  return data;
}

// Writes the four Fashion-MNIST files of `data` into `folder` (gzipped, like the Debian package).
inline void write_fashion_mnist_folder(const FashionMnist& data, const std::string& folder, bool gzip) {
  const std::string suffix = gzip ? ".gz" : "";
  write_file(folder + "/train-images-idx3-ubyte" + suffix, idx_images_bytes(data.train.images), gzip);
  write_file(folder + "/train-labels-idx1-ubyte" + suffix, idx_labels_bytes(data.train.labels), gzip);
  write_file(folder + "/t10k-images-idx3-ubyte" + suffix, idx_images_bytes(data.test.images), gzip);
  write_file(folder + "/t10k-labels-idx1-ubyte" + suffix, idx_labels_bytes(data.test.labels), gzip);
}

}  // namespace genint::io::scenes::testing
