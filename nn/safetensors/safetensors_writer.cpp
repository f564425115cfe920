// The safetensors writer: header JSON built with nlohmann (compact, like the reference's serde_json),
// padded with spaces so the byte buffer starts 8-byte aligned, written through a temp file + rename.
#include "nn/safetensors/safetensors_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "nn/core/error.h"

namespace genint::io {

namespace {
using OrderedJson = nlohmann::ordered_json;

void check_utf8(const std::string& text, const std::string& what) {
  try {
    static_cast<void>(OrderedJson(text).dump());  // strict mode: throws on invalid UTF-8
  } catch (const OrderedJson::exception&) {
    throw Error("safetensors writer: " + what + " is not valid UTF-8");
  }
}

// Owns the temporary file until it is renamed into place; removes it on any failure.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path) : path_(std::move(path)) {
    descriptor_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (descriptor_ < 0) throw Error("cannot create '" + path_ + "': " + std::strerror(errno));
  }
  ~TemporaryFile() {
    if (descriptor_ >= 0) ::close(descriptor_);
    if (!renamed_) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  void write_all(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
      const ssize_t written = ::write(descriptor_, bytes, size);
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) throw Error("cannot write '" + path_ + "': " + std::strerror(errno));
      bytes += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  void flush_and_rename_to(const std::string& final_path) {
    if (::fsync(descriptor_) != 0) throw Error("cannot flush '" + path_ + "': " + std::strerror(errno));
    const int descriptor = descriptor_;
    descriptor_ = -1;
    if (::close(descriptor) != 0) throw Error("cannot close '" + path_ + "': " + std::strerror(errno));
    if (::rename(path_.c_str(), final_path.c_str()) != 0) {
      throw Error("cannot rename '" + path_ + "' to '" + final_path + "': " + std::strerror(errno));
    }
    renamed_ = true;
  }

 private:
  std::string path_;
  int descriptor_ = -1;
  bool renamed_ = false;
};

std::string temporary_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

// Makes the rename itself durable; a failure here loses nothing already visible, so it is not fatal.
void flush_parent_directory(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string directory = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor >= 0) {
    ::fsync(descriptor);
    ::close(descriptor);
  }
}
}  // namespace

void SafetensorsWriter::add_tensor(const std::string& name, SafetensorsDtype dtype, std::vector<std::uint64_t> shape,
                                   const void* bytes, std::size_t byte_size) {
  GENINT_CHECK(name != "__metadata__", "safetensors writer: '__metadata__' is reserved and cannot name a tensor");
  check_utf8(name, "tensor name '" + name + "'");
  GENINT_CHECK(names_.count(name) == 0, "safetensors writer: tensor '" + name + "' added twice");
  // Element count first, then bytes: the same order as the reader (and the reference), so that a
  // shape such as [2^63, 0] is accepted or refused identically by both.
  std::uint64_t elements = 1;
  for (const std::uint64_t dimension : shape) {
    GENINT_CHECK(!__builtin_mul_overflow(elements, dimension, &elements),
                 "safetensors writer: tensor '" + name + "': shape overflows a 64-bit element count");
  }
  std::uint64_t expected = 0;
  GENINT_CHECK(!__builtin_mul_overflow(elements, static_cast<std::uint64_t>(safetensors_dtype_size(dtype)), &expected),
               "safetensors writer: tensor '" + name + "': shape overflows a 64-bit byte count");
  GENINT_CHECK(expected == byte_size, "safetensors writer: tensor '" + name + "': shape × " +
                                          safetensors_dtype_name(dtype) + " size is " + std::to_string(expected) +
                                          " bytes, got " + std::to_string(byte_size));
  GENINT_CHECK(byte_size == 0 || bytes != nullptr, "safetensors writer: tensor '" + name + "' has no data");
  const auto* first = static_cast<const std::uint8_t*>(bytes);
  PendingTensor tensor{name, dtype, std::move(shape), {}};
  if (byte_size != 0) tensor.bytes.assign(first, first + byte_size);
  names_.insert(name);
  tensors_.push_back(std::move(tensor));
}

void SafetensorsWriter::add_bool(const std::string& name, std::vector<std::uint64_t> shape,
                                 const std::vector<bool>& values) {
  std::vector<std::uint8_t> bytes(values.begin(), values.end());
  add_tensor(name, SafetensorsDtype::Bool, std::move(shape), bytes.data(), bytes.size());
}

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) {
  check_utf8(key, "metadata key '" + key + "'");
  check_utf8(value, "metadata value of '" + key + "'");
  metadata_[key] = value;
}

// The reference sorts by dtype descending in its enum order (the widest types first, which keeps
// every tensor naturally aligned), then by name as bytes.
std::vector<const SafetensorsWriter::PendingTensor*> SafetensorsWriter::layout_order() const {
  std::vector<const PendingTensor*> order;
  order.reserve(tensors_.size());
  for (const auto& tensor : tensors_) order.push_back(&tensor);
  std::sort(order.begin(), order.end(), [](const PendingTensor* left, const PendingTensor* right) {
    if (left->dtype != right->dtype) return static_cast<int>(left->dtype) > static_cast<int>(right->dtype);
    return left->name < right->name;
  });
  return order;
}

std::string SafetensorsWriter::length_and_header(const std::vector<const PendingTensor*>& order) const {
  OrderedJson header = OrderedJson::object();
  if (!metadata_.empty()) {
    OrderedJson metadata = OrderedJson::object();
    for (const auto& [key, value] : metadata_) metadata[key] = value;
    header["__metadata__"] = std::move(metadata);
  }
  std::uint64_t offset = 0;
  for (const PendingTensor* tensor : order) {
    OrderedJson entry = OrderedJson::object();
    entry["dtype"] = safetensors_dtype_name(tensor->dtype);
    entry["shape"] = tensor->shape;
    entry["data_offsets"] = {offset, offset + tensor->bytes.size()};
    offset += tensor->bytes.size();
    header[tensor->name] = std::move(entry);
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string result(8, '\0');
  const auto length = static_cast<std::uint64_t>(json.size());
  for (std::size_t i = 0; i < 8; ++i) result[i] = static_cast<char>((length >> (8 * i)) & 0xFFU);
  return result + json;
}

std::vector<std::uint8_t> SafetensorsWriter::serialize() const {
  const auto order = layout_order();
  const std::string head = length_and_header(order);
  std::vector<std::uint8_t> bytes(head.begin(), head.end());
  for (const PendingTensor* tensor : order) bytes.insert(bytes.end(), tensor->bytes.begin(), tensor->bytes.end());
  return bytes;
}

void SafetensorsWriter::write_file(const std::string& path) const {
  const auto order = layout_order();
  const std::string head = length_and_header(order);
  TemporaryFile temporary(temporary_path_for(path));
  temporary.write_all(head.data(), head.size());
  for (const PendingTensor* tensor : order) temporary.write_all(tensor->bytes.data(), tensor->bytes.size());
  temporary.flush_and_rename_to(path);
  flush_parent_directory(path);
}

}  // namespace genint::io
