// What compute devices this build and this machine offer.
// Answers are safe to ask on any machine: no GPU and a CPU-only build both mean zero devices.
#pragma once

#include <string>

namespace genint {

enum class Device { Cpu, Cuda };

// True when genint was built with its CUDA backend.
bool cuda_backend_built();
// Number of usable CUDA devices; 0 in a CPU-only build or when no driver or GPU is present.
int cuda_device_count();
// One line describing the first CUDA device ("NVIDIA H100 80GB HBM3, sm_90, 79 GiB"), or why there is none.
std::string cuda_device_description();

}  // namespace genint
