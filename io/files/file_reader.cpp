// POSIX open/fstat/read: one stat and one read per file, and a clear outcome for directories
// named like files, FIFOs and devices, unreadable entries, empty files and oversized ones.
#include "io/files/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace genint::io {

const char* file_read_outcome_name(FileReadOutcome outcome) {
  static const char* const names[] = {"ok", "missing", "not_a_regular_file", "unreadable", "empty", "too_large"};
  static_assert(std::size(names) == static_cast<std::size_t>(FileReadOutcome::TooLarge) + 1, "one name an outcome");
  const auto index = static_cast<std::size_t>(outcome);
  return index < std::size(names) ? names[index] : "unknown";
}

namespace {
class FileDescriptor {
 public:
  explicit FileDescriptor(int descriptor) : descriptor_(descriptor) {}
  ~FileDescriptor() {
    if (descriptor_ >= 0) ::close(descriptor_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return descriptor_; }

 private:
  int descriptor_;
};
}  // namespace

FileReadResult read_file_into(const std::string& path, std::vector<std::uint8_t>& buffer, std::uint64_t max_bytes) {
  buffer.clear();
  // O_NONBLOCK: opening a FIFO named like an image must not wait for a writer; regular files ignore it.
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) {
    const int error = errno;
    const auto outcome = error == ENOENT ? FileReadOutcome::Missing : FileReadOutcome::Unreadable;
    return {outcome, std::strerror(error)};
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return {FileReadOutcome::Unreadable, std::strerror(errno)};
  if (!S_ISREG(status.st_mode)) return {FileReadOutcome::NotARegularFile, "not a regular file"};
  if (status.st_size == 0) return {FileReadOutcome::Empty, "0 bytes"};
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size > max_bytes) return {FileReadOutcome::TooLarge, std::to_string(size) + " bytes"};
  buffer.resize(size);
  std::uint64_t done = 0;
  while (done < size) {
    const ssize_t got = ::read(file.get(), buffer.data() + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      buffer.clear();
      return {FileReadOutcome::Unreadable, std::strerror(error)};
    }
    if (got == 0) break;  // the file shrank while we read it: deliver what exists
    done += static_cast<std::uint64_t>(got);
  }
  buffer.resize(done);
  if (done == 0) return {FileReadOutcome::Empty, "0 bytes read"};
  return {};
}

}  // namespace genint::io
