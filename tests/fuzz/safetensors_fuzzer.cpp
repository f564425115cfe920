// libFuzzer target for the safetensors byte-span reader: any input must either be rejected with
// genint::Error or yield tensors whose every byte is readable and which survive a write/read round trip.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"

namespace {

// Reads every byte and every typed view the reader offers, so the sanitizers see any bad bound.
unsigned touch_everything(const genint::io::SafetensorsFile& file) {
  using genint::io::SafetensorsDtype;
  unsigned checksum = 0;
  for (const auto& tensor : file.tensors()) {
    for (std::uint64_t i = 0; i < tensor.byte_size; ++i) checksum += tensor.data[i];
    if (tensor.dtype == SafetensorsDtype::F32 || tensor.dtype == SafetensorsDtype::F16 ||
        tensor.dtype == SafetensorsDtype::BF16) {
      for (const float value : file.read_as_float(tensor.name)) checksum += value > 0.0F ? 1U : 0U;
    }
    if (tensor.dtype == SafetensorsDtype::Bool) {
      try {
        checksum += static_cast<unsigned>(file.read_bool(tensor.name).size());
      } catch (const genint::Error&) {
        // bytes other than 0/1 are a legitimate refusal
      }
    }
  }
  for (const auto& [key, value] : file.metadata()) checksum += static_cast<unsigned>(key.size() + value.size());
  return checksum;
}

// Whatever the reader accepts, the writer must be able to write and the reader to read back unchanged.
void check_round_trip(const genint::io::SafetensorsFile& file) {
  genint::io::SafetensorsWriter writer;
  for (const auto& tensor : file.tensors()) {
    writer.add_tensor(tensor.name, tensor.dtype, tensor.shape, tensor.data, static_cast<std::size_t>(tensor.byte_size));
  }
  for (const auto& [key, value] : file.metadata()) writer.set_metadata(key, value);
  const std::vector<std::uint8_t> bytes = writer.serialize();
  const auto again = genint::io::SafetensorsFile::view_bytes(bytes.data(), bytes.size(), "rewritten");
  if (again.tensor_count() != file.tensor_count() || again.metadata() != file.metadata()) __builtin_trap();
  for (const auto& tensor : file.tensors()) {
    const auto& copy = again.tensor(tensor.name);
    if (copy.dtype != tensor.dtype || copy.shape != tensor.shape || copy.byte_size != tensor.byte_size)
      __builtin_trap();
    if (tensor.byte_size != 0 && std::memcmp(copy.data, tensor.data, static_cast<std::size_t>(tensor.byte_size)) != 0) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    // libFuzzer hands over a heap block of exactly `size` bytes: ASan flags any read past its end.
    const auto file = genint::io::SafetensorsFile::view_bytes(data, size, "fuzz-input");
    static_cast<void>(touch_everything(file));
    try {
      check_round_trip(file);
    } catch (const genint::Error&) {
      __builtin_trap();  // an accepted file the writer refuses, or a rewrite the reader refuses, is a bug
    }
  } catch (const genint::Error&) {
    // a clear refusal is the expected outcome for most inputs
  }
  return 0;
}
