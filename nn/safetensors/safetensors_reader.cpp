// Validation and typed access for safetensors files. The layout rules follow the reference
// implementation strictly: the tensors must tile the byte buffer exactly (no overlap, no hole, no
// trailing bytes), so every byte of a valid file belongs to exactly one tensor.
#include "nn/safetensors/safetensors_reader.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

#include "nn/core/error.h"

namespace genint::io {

namespace {
using OrderedJson = nlohmann::ordered_json;

constexpr std::uint64_t kLengthFieldBytes = 8;
// Top object (depth 0) → tensor entry (1) → shape/offsets array (2); anything deeper is not the format.
constexpr int kDeepestContainer = 2;

// A tensor as the header states it: its data_offsets [begin, end) are checked before data is set.
struct TensorEntry : SafetensorsTensor {
  std::uint64_t begin = 0, end = 0;
};

// Names and values in messages come from the file: keep them short and printable.
std::string printable(const std::string& text) {
  constexpr std::size_t kMaxShown = 80;
  std::string shown;
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      shown += "\\x";
      shown += kHex[byte >> 4U];
      shown += kHex[byte & 0xFU];
    } else {
      shown += text[i];
    }
  }
  if (text.size() > kMaxShown) shown += "...";
  return shown;
}

std::string describe(const OrderedJson& value) {
  return printable(value.dump()) + " (" + value.type_name() + ")";
}

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
  throw Error("safetensors '" + source + "': " + problem);
}

[[noreturn]] void fail_tensor(const std::string& source, const std::string& tensor, const std::string& problem) {
  fail(source, "tensor '" + printable(tensor) + "': " + problem);
}

std::string range_text(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

std::uint64_t read_header_length(const std::uint8_t* data, std::size_t size, const std::string& source) {
  if (size < kLengthFieldBytes) {
    fail(source, "file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length field");
  }
  std::uint64_t length = 0;
  for (std::uint64_t i = 0; i < kLengthFieldBytes; ++i) length |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  if (length > kSafetensorsMaxHeaderBytes) {
    fail(source, "header length " + std::to_string(length) + " exceeds the limit of " +
                     std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");
  }
  const std::uint64_t available = size - kLengthFieldBytes;
  if (length > available) {
    fail(source, "header length " + std::to_string(length) + " runs past the end of the file (only " +
                     std::to_string(available) + " bytes follow the length field)");
  }
  if (length == 0 || data[kLengthFieldBytes] != '{') fail(source, "header does not start with '{'");
  return length;
}

// Parses the header, refusing duplicate keys (which a plain parse would silently merge) and nesting
// deeper than the format has (which also bounds the parser's work on hostile input).
OrderedJson parse_header_json(const char* text, std::size_t length, const std::string& source) {
  std::vector<std::unordered_set<std::string>> keys_of_open_objects;
  auto check_event = [&](int depth, OrderedJson::parse_event_t event, OrderedJson& parsed) {
    using Event = OrderedJson::parse_event_t;
    if ((event == Event::object_start || event == Event::array_start) && depth > kDeepestContainer) {
      fail(source, "header nests JSON deeper than the format allows (depth " + std::to_string(depth) + ")");
    }
    if (event == Event::object_start) keys_of_open_objects.emplace_back();
    if (event == Event::object_end) keys_of_open_objects.pop_back();
    if (event == Event::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys_of_open_objects.back().insert(key).second) {
        fail(source, "header repeats the key '" + printable(key) + "'" +
                         (depth == 1 ? std::string() : " inside one tensor entry"));
      }
    }
    return true;
  };
  try {
    return OrderedJson::parse(text, text + length, check_event);
  } catch (const OrderedJson::exception& parse_error) {
    fail(source, std::string("header is not valid JSON: ") + parse_error.what());
  }
}

std::map<std::string, std::string> parse_metadata(const OrderedJson& value, const std::string& source) {
  if (!value.is_object()) fail(source, "__metadata__ is " + describe(value) + ", not an object of strings");
  std::map<std::string, std::string> metadata;
  for (auto item = value.begin(); item != value.end(); ++item) {
    if (!item.value().is_string()) {
      fail(source,
           "__metadata__ key '" + printable(item.key()) + "' holds " + describe(item.value()) + ", not a string");
    }
    metadata.emplace(item.key(), item.value().get<std::string>());
  }
  return metadata;
}

std::uint64_t unsigned_integer(const OrderedJson& value, const std::string& field, const std::string& tensor,
                               const std::string& source) {
  if (!value.is_number_unsigned()) {
    fail_tensor(source, tensor, field + " is " + describe(value) + ", not a non-negative integer below 2^64");
  }
  return value.get<std::uint64_t>();
}

SafetensorsDtype parse_dtype_field(const OrderedJson& value, const std::string& tensor, const std::string& source) {
  if (!value.is_string()) fail_tensor(source, tensor, "dtype is " + describe(value) + ", not a string");
  const auto& name = value.get_ref<const std::string&>();
  if (is_unsupported_safetensors_dtype(name)) {
    fail_tensor(source, tensor, "dtype '" + name + "' (packed sub-byte float) is not supported");
  }
  const auto dtype = parse_safetensors_dtype(name);
  if (!dtype) fail_tensor(source, tensor, "unknown dtype '" + printable(name) + "'");
  return *dtype;
}

void check_entry_fields(const OrderedJson& value, const std::string& tensor, const std::string& source) {
  if (!value.is_object()) fail_tensor(source, tensor, "entry is " + describe(value) + ", not an object");
  for (auto field = value.begin(); field != value.end(); ++field) {
    const std::string& key = field.key();
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      fail_tensor(source, tensor, "unexpected field '" + printable(key) + "' (only dtype, shape, data_offsets)");
    }
  }
  for (const char* required : {"dtype", "shape", "data_offsets"}) {
    if (!value.contains(required)) fail_tensor(source, tensor, std::string("missing field '") + required + "'");
  }
}

// Element count and byte count with overflow checks, compared with what the offsets claim.
void check_byte_count(TensorEntry& entry, const std::string& source) {
  std::uint64_t count = 1;
  for (const std::uint64_t dimension : entry.shape) {
    if (__builtin_mul_overflow(count, dimension, &count)) {
      fail_tensor(source, entry.name,
                  "shape " + safetensors_shape_text(entry.shape) + " overflows a 64-bit element count");
    }
  }
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(safetensors_dtype_size(entry.dtype)), &bytes)) {
    fail_tensor(source, entry.name, "shape " + safetensors_shape_text(entry.shape) + " overflows a 64-bit byte count");
  }
  if (entry.end - entry.begin != bytes) {
    fail_tensor(source, entry.name,
                "shape " + safetensors_shape_text(entry.shape) + " of " + safetensors_dtype_name(entry.dtype) +
                    " needs " + std::to_string(bytes) + " bytes but data_offsets " +
                    range_text(entry.begin, entry.end) + " hold " + std::to_string(entry.end - entry.begin));
  }
  entry.element_count = count;
}

TensorEntry parse_tensor_entry(const std::string& name, const OrderedJson& value, const std::string& source) {
  check_entry_fields(value, name, source);
  TensorEntry entry;
  entry.name = name;
  entry.dtype = parse_dtype_field(value.at("dtype"), name, source);
  const OrderedJson& shape = value.at("shape");
  if (!shape.is_array()) fail_tensor(source, name, "shape is " + describe(shape) + ", not an array");
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    entry.shape.push_back(unsigned_integer(shape[axis], "shape[" + std::to_string(axis) + "]", name, source));
  }
  const OrderedJson& offsets = value.at("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2) {
    fail_tensor(source, name, "data_offsets is " + describe(offsets) + ", not an array [begin, end]");
  }
  entry.begin = unsigned_integer(offsets[0], "data_offsets[0]", name, source);
  entry.end = unsigned_integer(offsets[1], "data_offsets[1]", name, source);
  if (entry.end < entry.begin) {
    fail_tensor(source, name, "data_offsets " + range_text(entry.begin, entry.end) + " end before they begin");
  }
  check_byte_count(entry, source);
  return entry;
}

// Strict like the reference: sorted by offset, each tensor starts exactly where the previous ended,
// and the last one ends at the end of the file.
void check_layout(const std::vector<TensorEntry>& entries, std::uint64_t buffer_size, const std::string& source) {
  std::vector<const TensorEntry*> by_offset;
  by_offset.reserve(entries.size());
  for (const auto& entry : entries) {
    if (entry.end > buffer_size) {
      fail_tensor(source, entry.name,
                  "data_offsets " + range_text(entry.begin, entry.end) + " run past the end of the byte buffer (" +
                      std::to_string(buffer_size) + " bytes; the file is truncated or the header lies)");
    }
    by_offset.push_back(&entry);
  }
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorEntry* left, const TensorEntry* right) {
    return std::make_pair(left->begin, left->end) < std::make_pair(right->begin, right->end);
  });
  std::uint64_t covered = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry* entry : by_offset) {
    if (entry->begin < covered) {
      fail_tensor(source, entry->name,
                  "bytes " + range_text(entry->begin, entry->end) + " overlap tensor '" + printable(previous->name) +
                      "' at " + range_text(previous->begin, previous->end));
    }
    if (entry->begin > covered) {
      fail_tensor(
          source, entry->name,
          "bytes " + range_text(covered, entry->begin) + " before it belong to no tensor (holes are not allowed)");
    }
    covered = entry->end;
    previous = entry;
  }
  if (covered != buffer_size) {
    fail(source, "bytes " + range_text(covered, buffer_size) + " at the end of the byte buffer belong to no tensor");
  }
}
}  // namespace

std::string safetensors_shape_text(const std::vector<std::uint64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  return text + "]";
}

void SafetensorsTensor::check_typed_access(SafetensorsDtype wanted, std::size_t alignment) const {
  if (dtype != wanted) {
    throw Error("safetensors tensor '" + printable(name) + "' has dtype " + safetensors_dtype_name(dtype) +
                "; this accessor needs " + safetensors_dtype_name(wanted));
  }
  if (reinterpret_cast<std::uintptr_t>(data) % alignment != 0) {
    throw Error("safetensors tensor '" + printable(name) + "' is not " + std::to_string(alignment) +
                "-byte aligned in memory (header length not a multiple of 8?); copy it with read() instead");
  }
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile file;
  file.source_name_ = path;
  file.mapping_ = MappedFile(path);
  file.parse(file.mapping_.data(), file.mapping_.size());
  return file;
}

SafetensorsFile SafetensorsFile::view_bytes(const std::uint8_t* data, std::size_t size, std::string source_name) {
  SafetensorsFile file;
  file.source_name_ = std::move(source_name);
  file.parse(data, size);
  return file;
}

SafetensorsFile SafetensorsFile::take_bytes(std::vector<std::uint8_t> bytes, std::string source_name) {
  SafetensorsFile file;
  file.source_name_ = std::move(source_name);
  file.owned_bytes_ = std::move(bytes);
  file.parse(file.owned_bytes_.data(), file.owned_bytes_.size());
  return file;
}

void SafetensorsFile::parse(const std::uint8_t* data, std::size_t size) {
  const std::uint64_t header_length = read_header_length(data, size, source_name_);
  const OrderedJson header =
      parse_header_json(static_cast<const char*>(static_cast<const void*>(data + kLengthFieldBytes)),
                        static_cast<std::size_t>(header_length), source_name_);
  std::vector<TensorEntry> entries;
  for (auto item = header.begin(); item != header.end(); ++item) {
    if (item.key() == "__metadata__") {
      metadata_ = parse_metadata(item.value(), source_name_);
    } else {
      entries.push_back(parse_tensor_entry(item.key(), item.value(), source_name_));
    }
  }
  const std::uint64_t buffer_start = kLengthFieldBytes + header_length;
  check_layout(entries, size - buffer_start, source_name_);
  tensors_.reserve(entries.size());
  for (TensorEntry& entry : entries) {
    entry.data = data + buffer_start + entry.begin;
    entry.byte_size = entry.end - entry.begin;
    entry.buffer_offset = entry.begin;
    index_.emplace(entry.name, tensors_.size());
    tensors_.push_back(static_cast<SafetensorsTensor&&>(entry));
  }
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> result;
  result.reserve(tensors_.size());
  for (const auto& tensor : tensors_) result.push_back(tensor.name);
  return result;
}

const SafetensorsTensor& SafetensorsFile::tensor(const std::string& name) const {
  const auto found = index_.find(name);
  if (found == index_.end()) fail(source_name_, "no tensor named '" + printable(name) + "'");
  return tensors_[found->second];
}

void SafetensorsFile::expect_shape(const std::string& name, const std::vector<std::uint64_t>& shape,
                                   const std::string& network) const {
  GENINT_CHECK(contains(name), source_name_ + ": " + network + " tensor '" + name + "' is missing (" +
                                   std::to_string(tensor_count()) + " tensors in the file)");
  const std::vector<std::uint64_t>& stored = tensor(name).shape;
  GENINT_CHECK(stored == shape, source_name_ + ": tensor '" + name + "' has shape " + safetensors_shape_text(stored) +
                                    ", the network needs " + safetensors_shape_text(shape));
}

const SafetensorsTensor& SafetensorsFile::typed_tensor(const std::string& name, SafetensorsDtype wanted) const {
  const SafetensorsTensor& found = tensor(name);
  if (found.dtype != wanted) {
    fail_tensor(source_name_, name,
                std::string("has dtype ") + safetensors_dtype_name(found.dtype) + "; this accessor needs " +
                    safetensors_dtype_name(wanted));
  }
  return found;
}

void SafetensorsFile::check_destination_count(const SafetensorsTensor& found, std::size_t element_count) const {
  if (found.element_count != element_count) {
    fail_tensor(source_name_, found.name,
                "has " + std::to_string(found.element_count) + " elements; the destination holds " +
                    std::to_string(element_count));
  }
}

std::vector<float> SafetensorsFile::read_as_float(const std::string& name) const {
  std::vector<float> values(static_cast<std::size_t>(tensor(name).element_count));
  read_as_float_into(name, values.data(), values.size());
  return values;
}

void SafetensorsFile::read_as_float_into(const std::string& name, float* destination, std::size_t element_count) const {
  const SafetensorsTensor& found = tensor(name);
  const SafetensorsDtype dtype = found.dtype;
  if (dtype == SafetensorsDtype::F32) {
    read_into(name, destination, element_count);
    return;
  }
  if (dtype != SafetensorsDtype::F16 && dtype != SafetensorsDtype::BF16) {
    fail_tensor(source_name_, name,
                std::string("has dtype ") + safetensors_dtype_name(dtype) + "; read_as_float needs F32, F16 or BF16");
  }
  check_destination_count(found, element_count);
  for (std::size_t i = 0; i < element_count; ++i) {
    std::uint16_t bits = 0;
    std::memcpy(&bits, found.data + 2 * i, sizeof bits);  // unaligned-safe
    destination[i] = dtype == SafetensorsDtype::F16 ? half_bits_to_float(bits) : bfloat16_bits_to_float(bits);
  }
}

std::vector<bool> SafetensorsFile::read_bool(const std::string& name) const {
  const SafetensorsTensor& found = typed_tensor(name, SafetensorsDtype::Bool);
  std::vector<bool> values(static_cast<std::size_t>(found.element_count));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint8_t byte = found.data[i];
    if (byte > 1) {
      fail_tensor(
          source_name_, name,
          "BOOL element " + std::to_string(i) + " is byte " + std::to_string(byte) + "; only 0 and 1 are valid");
    }
    values[i] = byte == 1;
  }
  return values;
}

}  // namespace genint::io
