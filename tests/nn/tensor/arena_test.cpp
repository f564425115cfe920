// Arena: alignment, marks and rewinds, and the promise that a repeated step allocates nothing after the first.
#include "nn/tensor/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "nn/core/error.h"

namespace genint {
namespace {

// A "training step" asking for a fixed sequence of tensors, with one scratch region rewound midway.
void fake_step(Arena& arena) {
  arena.allocate(Shape{64, 3, 7, 7}, DType::Float32);
  const Arena::Mark mark = arena.mark();
  arena.allocate(Shape{1000}, DType::Float32);
  arena.rewind(mark);
  arena.allocate(Shape{256, 1000}, DType::Float32);
  arena.allocate(Shape{17}, DType::UInt8);
}

TEST(Arena, AllocationsAreAlignedAndDisjoint) {
  Arena arena(Device::Cpu, 4096);
  const Tensor first = arena.allocate(Shape{3}, DType::UInt8);
  const Tensor second = arena.allocate(Shape{10}, DType::Float32);
  const auto first_address = reinterpret_cast<std::uintptr_t>(first.raw_data());
  const auto second_address = reinterpret_cast<std::uintptr_t>(second.raw_data());
  EXPECT_EQ(first_address % Arena::kAlignment, 0u);
  EXPECT_EQ(second_address % Arena::kAlignment, 0u);
  EXPECT_GE(second_address, first_address + 3);
  EXPECT_FALSE(second.owns_storage());
  EXPECT_EQ(arena.bytes_in_use(), 2 * Arena::kAlignment);
}

TEST(Arena, SecondStepAllocatesNothing) {
  Arena arena(Device::Cpu);
  fake_step(arena);
  const std::size_t after_first = arena.system_allocations();
  EXPECT_GT(after_first, 1u);  // the first step had to grow into overflow blocks
  arena.reset();
  const std::size_t after_regrowth = arena.system_allocations();
  EXPECT_EQ(arena.capacity(), arena.peak_bytes());
  for (int step = 0; step < 3; ++step) {
    fake_step(arena);
    arena.reset();
  }
  EXPECT_EQ(arena.system_allocations(), after_regrowth);
}

TEST(Arena, RewindReusesTheSameBytes) {
  Arena arena(Device::Cpu, 1 << 16);
  const Arena::Mark mark = arena.mark();
  const void* first = arena.allocate_bytes(100);
  arena.rewind(mark);
  EXPECT_EQ(arena.allocate_bytes(100), first);
  arena.reset();
  EXPECT_EQ(arena.bytes_in_use(), 0u);
  const Arena::Mark stale{Arena::kAlignment * 4, 0};
  EXPECT_THROW(arena.rewind(stale), Error);
}

TEST(ArenaScope, RewindsOnExitAndLogsAStaleMarkInsteadOfThrowing) {
  Arena arena(Device::Cpu, 1 << 16);
  arena.allocate_bytes(300);
  const std::size_t before = arena.bytes_in_use();
  {
    const ArenaScope scope(arena);
    arena.allocate_bytes(1000);
    EXPECT_GT(arena.bytes_in_use(), before);
  }
  EXPECT_EQ(arena.bytes_in_use(), before);
  testing::internal::CaptureStderr();
  {
    // A reset inside the scope makes its mark stale: rewind() would throw, the destructor must not (terminate).
    const ArenaScope scope(arena);
    arena.reset();
  }
  const std::string logged = testing::internal::GetCapturedStderr();
  EXPECT_NE(logged.find("Arena::rewind"), std::string::npos) << logged;
  EXPECT_EQ(arena.bytes_in_use(), 0u);
}

TEST(Arena, OverflowWhileMeasuringStillGivesDistinctMemory) {
  Arena arena(Device::Cpu, 512);
  void* inside = arena.allocate_bytes(300);
  void* overflow = arena.allocate_bytes(1000);  // does not fit: an overflow block
  EXPECT_NE(inside, overflow);
  EXPECT_EQ(arena.bytes_in_use(), 512u + 1024u);
  arena.reset();
  EXPECT_EQ(arena.capacity(), 1536u);
}

}  // namespace
}  // namespace genint
