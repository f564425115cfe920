// Helpers for cuda-labelled tests: they skip (not fail, not pass silently) where no GPU is present.
// The skip message says why, so a CTest log shows what a GPU machine would have checked.
#pragma once

#include <gtest/gtest.h>

#include "nn/core/device.h"

#define GENINT_REQUIRE_CUDA_DEVICE()                                               \
  do {                                                                             \
    if (::genint::cuda_device_count() == 0)                                        \
      GTEST_SKIP() << "needs a CUDA GPU: " << ::genint::cuda_device_description(); \
  } while (0)
