// Where an op runs: the CPU, or a stream of the current CUDA device. Every op's dispatch point takes one, so a
// model's forward is written once and runs on either device (ResNet and BigGAN both do).
#pragma once

#include "nn/core/device.h"

namespace genint {

struct OpTarget {
  Device device = Device::Cpu;
  void* stream = nullptr;  // CUDA: a cudaStream_t of the current device; nullptr = the legacy default stream

  static OpTarget cpu() { return OpTarget{}; }
  static OpTarget cuda(void* stream = nullptr) { return OpTarget{Device::Cuda, stream}; }
  bool on_cpu() const { return device == Device::Cpu; }
};

}  // namespace genint
