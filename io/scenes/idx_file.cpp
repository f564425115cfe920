// IDX reading through zlib's gz* calls, which read gzip-compressed and plain files alike, so the Debian
// package's .gz files and an unpacked copy both load. Header fields are validated before any allocation.
#include "io/scenes/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

// A gzFile that closes itself; read_exactly() reports short reads with the file's name.
class GzipReader {
 public:
  explicit GzipReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    GENINT_CHECK(file_ != nullptr, "cannot open IDX file " + path);
  }
  ~GzipReader() { gzclose(file_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Returns the number of bytes read (less than `size` only at the end of the data).
  std::size_t read_some(void* destination, std::size_t size) {
    std::size_t total = 0;
    auto* bytes = static_cast<unsigned char*>(destination);
    while (total < size) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - total, 1u << 30));
      const int got = gzread(file_, bytes + total, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        throw Error("IDX file " + path_ + ": read failed (" + std::string(message ? message : "?") + ")");
      }
      if (got == 0) break;
      total += static_cast<std::size_t>(got);
    }
    return total;
  }
  void read_exactly(void* destination, std::size_t size, const std::string& what) {
    const std::size_t got = read_some(destination, size);
    GENINT_CHECK(got == size, "IDX file " + path_ + " is truncated: " + what + " needs " + std::to_string(size) +
                                  " bytes, only " + std::to_string(got) + " left");
  }
  bool at_end() {
    unsigned char probe = 0;
    return read_some(&probe, 1) == 0;
  }
  // `size` bytes into `into`. The claimed size is trusted only as far as the data goes: grow in steps of `step`
  // and stop at a short read.
  void read_growing(std::vector<std::uint8_t>& into, std::size_t size, std::size_t step, const std::string& what) {
    for (std::size_t filled = 0; filled < size;) {
      const std::size_t next = std::min(size, filled + step);
      into.resize(next);
      read_exactly(into.data() + filled, next - filled, what);
      filled = next;
    }
  }
  std::uint32_t read_big_endian_32(const std::string& what) {
    unsigned char word[4];
    read_exactly(word, 4, what);
    return (std::uint32_t{word[0]} << 24) | (std::uint32_t{word[1]} << 16) | (std::uint32_t{word[2]} << 8) |
           std::uint32_t{word[3]};
  }

 private:
  std::string path_;
  gzFile file_;
};

// Reads the magic number and the dimension sizes; checks type (unsigned byte) and rank.
std::vector<std::uint32_t> read_header(GzipReader& reader, const std::string& path, int expected_rank) {
  const std::uint32_t found_magic = reader.read_big_endian_32("the magic number");
  char found_text[16];
  std::snprintf(found_text, sizeof found_text, "%08X", static_cast<unsigned>(found_magic));
  GENINT_CHECK(found_magic == 0x0800u + static_cast<unsigned>(expected_rank),
               "IDX file " + path + ": bad magic number 0x" + found_text + " (expected 0x0000080" +
                   std::to_string(expected_rank) + ": unsigned bytes, " + std::to_string(expected_rank) +
                   " dimension(s))");
  std::vector<std::uint32_t> sizes(static_cast<std::size_t>(expected_rank));
  for (auto& size : sizes) size = reader.read_big_endian_32("a dimension size");
  return sizes;
}

std::string existing_variant(const std::string& folder, const std::string& name) {
  for (const std::string& candidate : {name, name + ".gz"}) {
    const std::filesystem::path path = std::filesystem::path(folder) / candidate;
    if (std::filesystem::is_regular_file(path)) return path.string();
  }
  throw Error("Fashion-MNIST folder " + folder + " has no " + name + " (nor " + name + ".gz)");
}

LabelledImages load_half(const std::string& folder, const std::string& prefix) {
  LabelledImages half;
  half.images_path = existing_variant(folder, prefix + "-images-idx3-ubyte");
  half.labels_path = existing_variant(folder, prefix + "-labels-idx1-ubyte");
  half.images = read_idx_images(half.images_path);
  half.labels = read_idx_labels(half.labels_path, fashion_mnist_class_count);
  GENINT_CHECK(half.images.count == half.labels.size(),
               "Fashion-MNIST " + prefix + ": " + half.images_path + " holds " + std::to_string(half.images.count) +
                   " images but " + half.labels_path + " " + std::to_string(half.labels.size()) + " labels");
  return half;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  GzipReader reader(path);
  const std::vector<std::uint32_t> sizes = read_header(reader, path, 3);
  // Fashion-MNIST items are 28x28; anything above 4096 per side is a corrupt header, not an image.
  GENINT_CHECK(
      sizes[1] >= 1 && sizes[1] <= 4096 && sizes[2] >= 1 && sizes[2] <= 4096,
      "IDX file " + path + ": implausible image size " + std::to_string(sizes[1]) + "x" + std::to_string(sizes[2]));
  IdxImages images;
  images.count = sizes[0];
  images.rows = static_cast<int>(sizes[1]);
  images.columns = static_cast<int>(sizes[2]);
  reader.read_growing(images.pixels, images.count * sizes[1] * sizes[2], std::size_t{64} << 20,
                      "the pixels of " + std::to_string(images.count) + " images");
  GENINT_CHECK(reader.at_end(),
               "IDX file " + path + " has bytes after its " + std::to_string(images.count) + " images");
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path, int class_count) {
  GzipReader reader(path);
  const std::vector<std::uint32_t> sizes = read_header(reader, path, 1);
  std::vector<std::uint8_t> labels;
  reader.read_growing(labels, sizes[0], std::size_t{16} << 20, "the labels");
  GENINT_CHECK(reader.at_end(), "IDX file " + path + " has bytes after its " + std::to_string(sizes[0]) + " labels");
  for (std::size_t index = 0; index < labels.size(); ++index)
    GENINT_CHECK(labels[index] < class_count, "IDX file " + path + ": label " + std::to_string(labels[index]) +
                                                  " of item " + std::to_string(index) + " is not below " +
                                                  std::to_string(class_count));
  return labels;
}

const std::vector<std::string>& fashion_mnist_class_folders() {
  static const std::vector<std::string> folders = {"0_tshirt", "1_trouser", "2_pullover", "3_dress", "4_coat",
                                                   "5_sandal", "6_shirt",   "7_sneaker",  "8_bag",   "9_ankle_boot"};
  return folders;
}

FashionMnist load_fashion_mnist(const std::string& folder) {
  GENINT_CHECK(std::filesystem::is_directory(folder), "Fashion-MNIST folder " + folder + " does not exist");
  FashionMnist data;
  data.train = load_half(folder, "train");
  data.test = load_half(folder, "t10k");
  return data;
}

}  // namespace genint::io::scenes
