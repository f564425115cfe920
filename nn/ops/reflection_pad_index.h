// The one reflection rule shared by the CPU and CUDA reflection pad: −1 ↦ 1, size ↦ size − 2.
// Internal header; valid for coordinates within one pad (< size) of the edge.
#pragma once

#if defined(__CUDACC__)
#define GENINT_HOST_DEVICE __host__ __device__
#else
#define GENINT_HOST_DEVICE
#endif

namespace genint {

GENINT_HOST_DEVICE inline int reflect_index(int coordinate, int size) {
  if (coordinate < 0) return -coordinate;
  if (coordinate >= size) return 2 * (size - 1) - coordinate;
  return coordinate;
}

}  // namespace genint

#undef GENINT_HOST_DEVICE
