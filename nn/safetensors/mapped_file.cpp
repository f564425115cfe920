// POSIX open/fstat/mmap for MappedFile. The descriptor is closed right after mapping: the mapping
// keeps the file's pages alive on its own. Caveat: a file truncated by another process while it is
// mapped raises SIGBUS on access, as for every mmap reader; weight files are not rewritten in place
// (our writer replaces files by rename, which leaves existing mappings intact).
#include "nn/safetensors/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "nn/core/error.h"

namespace genint::io {

namespace {
class DescriptorCloser {
 public:
  explicit DescriptorCloser(int descriptor) : descriptor_(descriptor) {}
  ~DescriptorCloser() {
    if (descriptor_ >= 0) ::close(descriptor_);
  }
  DescriptorCloser(const DescriptorCloser&) = delete;
  DescriptorCloser& operator=(const DescriptorCloser&) = delete;

 private:
  int descriptor_;
};
}  // namespace

MappedFile::MappedFile(const std::string& path) {
  // O_NONBLOCK: a FIFO named like a weight file must not hang the open; it is refused below.
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (descriptor < 0) {
    throw Error("cannot open '" + path + "': " + std::strerror(errno));
  }
  const DescriptorCloser closer(descriptor);
  struct stat status {};
  if (::fstat(descriptor, &status) != 0) {
    throw Error("cannot stat '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) throw Error("'" + path + "' is not a regular file");
  if (status.st_size == 0) return;
  const auto size = static_cast<std::size_t>(status.st_size);
  void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, descriptor, 0);
  if (mapping == MAP_FAILED) {
    throw Error("cannot map '" + path + "' (" + std::to_string(size) + " bytes): " + std::strerror(errno));
  }
  data_ = std::unique_ptr<const std::uint8_t, Unmap>(static_cast<const std::uint8_t*>(mapping), Unmap{size});
}

void MappedFile::Unmap::operator()(const std::uint8_t* data) const noexcept {
  // munmap takes a non-const pointer; the mapping was created by us, so casting constness away is sound.
  ::munmap(const_cast<std::uint8_t*>(data), size);
}

}  // namespace genint::io
