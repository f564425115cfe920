// Reads the IDX files Fashion-MNIST (and MNIST) ship in, plain or gzip-compressed, with every header field
// checked against the file's real size; and loads the four files of a Fashion-MNIST folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace genint::io::scenes {

// Unsigned-byte images, row-major, item after item (IDX type 0x08, 3 dimensions).
struct IdxImages {
  std::size_t count = 0;
  int rows = 0;
  int columns = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * columns
  const std::uint8_t* item(std::size_t index) const {
    return pixels.data() + index * static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns);
  }
};

// Reads an IDX3 unsigned-byte image file; gzip-compressed files are inflated on the fly. Throws
// genint::Error naming the file and the field on a bad magic number, bad dimensions or a wrong length.
IdxImages read_idx_images(const std::string& path);
// Reads an IDX1 unsigned-byte label file; every label must be below `class_count`.
std::vector<std::uint8_t> read_idx_labels(const std::string& path, int class_count);

// One half (train or t10k) of Fashion-MNIST: images and their labels, same count.
struct LabelledImages {
  IdxImages images;
  std::vector<std::uint8_t> labels;
  std::string images_path;
  std::string labels_path;
};

struct FashionMnist {
  LabelledImages train;  // 60000 items in the real data set
  LabelledImages test;   // 10000 items (t10k)
};

inline constexpr int fashion_mnist_class_count = 10;
// Class folder names: the label, '_', the class name; one digit, so sorted order is label order.
const std::vector<std::string>& fashion_mnist_class_folders();

// Loads <folder>/{train,t10k}-{images-idx3,labels-idx1}-ubyte, each with or without ".gz".
FashionMnist load_fashion_mnist(const std::string& folder);

}  // namespace genint::io::scenes
