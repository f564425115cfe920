// Reads whole files into caller-owned buffers that keep their capacity, so a decode thread
// reading millions of files allocates only when a file is larger than any before it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace genint::io {

enum class FileReadOutcome { Ok, Missing, NotARegularFile, Unreadable, Empty, TooLarge };

const char* file_read_outcome_name(FileReadOutcome outcome);

struct FileReadResult {
  FileReadOutcome outcome = FileReadOutcome::Ok;
  std::string detail;  // the system's reason (strerror) where there is one
};

// Fills `buffer` (resized to the file's size) with the file's bytes. Never throws for a bad file:
// the outcome says what was wrong. Files larger than `max_bytes` are refused unread.
FileReadResult read_file_into(const std::string& path, std::vector<std::uint8_t>& buffer,
                              std::uint64_t max_bytes = std::uint64_t{1} << 31);

}  // namespace genint::io
