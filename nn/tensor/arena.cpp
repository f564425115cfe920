// Arena: bump allocation inside one block, overflow blocks while a step is still being measured,
// and regrowth at reset() so that a repeated step fits in the one block.
#include "nn/tensor/arena.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "nn/core/error.h"
#include "nn/core/log.h"

namespace genint {

Arena::Arena(Device device, std::size_t initial_bytes) : device_(device) {
  if (initial_bytes > 0) {
    block_ = detail::MemoryBlock(round_up(initial_bytes), device);
    ++system_allocations_;
  }
}

void* Arena::allocate_bytes(std::size_t bytes) {
  const std::size_t rounded = round_up(std::max<std::size_t>(bytes, 1));
  void* pointer = nullptr;
  if (offset_ + rounded <= block_.bytes()) {
    pointer = static_cast<char*>(block_.data()) + offset_;
    offset_ += rounded;
  } else {
    // Only while the arena is still learning the step's size; reset() folds these into the block.
    overflow_.emplace_back(rounded, device_);
    ++system_allocations_;
    overflow_bytes_ += rounded;
    pointer = overflow_.back().data();
  }
  peak_bytes_ = std::max(peak_bytes_, bytes_in_use());
  return pointer;
}

Tensor Arena::allocate(const Shape& shape, DType dtype) {
  const std::size_t bytes = static_cast<std::size_t>(shape.element_count()) * dtype_size(dtype);
  return Tensor::borrow(allocate_bytes(bytes), shape, dtype, device_);
}

void Arena::rewind(const Mark& mark) {
  GENINT_CHECK(mark.offset <= offset_ && mark.overflow_blocks <= overflow_.size(),
               "Arena::rewind to a mark at offset " + std::to_string(mark.offset) + " past the current offset " +
                   std::to_string(offset_) + " (was the arena reset since the mark was taken?)");
  offset_ = mark.offset;
  while (overflow_.size() > mark.overflow_blocks) {
    overflow_bytes_ -= overflow_.back().bytes();
    overflow_.pop_back();
  }
}

void Arena::reset() {
  const bool overflowed = peak_bytes_ > block_.bytes();
  overflow_.clear();
  overflow_bytes_ = 0;
  offset_ = 0;
  if (overflowed) {
    block_ = detail::MemoryBlock();  // free first, so the old and new blocks never coexist
    block_ = detail::MemoryBlock(peak_bytes_, device_);
    ++system_allocations_;
  }
}

ArenaScope::~ArenaScope() {
  try {
    arena_.rewind(mark_);
  } catch (const std::exception& error) {
    log_write(LogLevel::Error, error.what());
  }
}

}  // namespace genint
