// Arena: a bump allocator over one CPU or CUDA block, reset once per training step.
// The first step may overflow into extra blocks; reset() then regrows the block to the step's peak, so later steps
// allocate nothing.
#pragma once

#include <cstddef>
#include <vector>

#include "nn/core/device.h"
#include "nn/tensor/tensor.h"
#include "nn/tensor/tensor_memory.h"

namespace genint {

class Arena {
 public:
  // Every allocation starts on this boundary: cuDNN/cuBLAS and vector loads want at least 128 bytes.
  static constexpr std::size_t kAlignment = 256;
  // What an allocation of `bytes` takes of the arena: `bytes` rounded up to kAlignment.
  static std::size_t round_up(std::size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

  explicit Arena(Device device, std::size_t initial_bytes = 0);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Borrowed, contiguous, uninitialised tensor valid until the next reset() or a rewind() past it.
  Tensor allocate(const Shape& shape, DType dtype);
  void* allocate_bytes(std::size_t bytes);

  // Scratch space: take a mark, allocate, rewind to the mark when the scratch is no longer needed.
  struct Mark {
    std::size_t offset;
    std::size_t overflow_blocks;
  };
  Mark mark() const { return {offset_, overflow_.size()}; }
  void rewind(const Mark& mark);
  // Frees everything; when the step overflowed, replaces the block by one as large as the step's peak.
  void reset();

  Device device() const { return device_; }
  std::size_t capacity() const { return block_.bytes(); }
  std::size_t bytes_in_use() const { return offset_ + overflow_bytes_; }
  std::size_t peak_bytes() const { return peak_bytes_; }
  // How many times this arena has asked the system for memory; constant across steps once warm.
  std::size_t system_allocations() const { return system_allocations_; }

 private:
  Device device_;
  detail::MemoryBlock block_;
  std::size_t offset_ = 0;
  std::vector<detail::MemoryBlock> overflow_;
  std::size_t overflow_bytes_ = 0;
  std::size_t peak_bytes_ = 0;
  std::size_t system_allocations_ = 0;
};

// Gives the arena back to the mark taken at construction, also when the scope is left by an exception. Never
// throws: a mark made stale by a reset inside the scope is logged as an error instead (a destructor may not throw).
class ArenaScope {
 public:
  explicit ArenaScope(Arena& arena) : arena_(arena), mark_(arena.mark()) {}
  ~ArenaScope();
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;

 private:
  Arena& arena_;
  Arena::Mark mark_;
};

}  // namespace genint
