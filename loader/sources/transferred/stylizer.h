// One transferred producer's AdaIN network where its entry says ("device"): host style and content images in, the
// stylized image back on the host, so everything around the network (content reading, quantizing) is shared code.
#pragma once

#include <memory>
#include <string>

#include "loader/sources/intervention/source_generator.h"
#include "nn/models/adain_network.h"
#include "nn/tensor/tensor.h"

namespace genint::loader {

class Stylizer {
 public:
  // Loads the network on `backend`'s device: the CPU, or a CUDA device with a stream of this stylizer's own (its
  // work never waits for the trainer's or another producer's). Throws genint::Error when the file or device fails.
  Stylizer(const std::string& network_path, const GeneratorBackend& backend);
  ~Stylizer();  // on CUDA: frees the network and buffers with their device current; never throws
  Stylizer(const Stylizer&) = delete;
  Stylizer& operator=(const Stylizer&) = delete;

  // Computes and keeps the statistics of `host_style` ([1, 3, H, W] float32 in [0, 1] on the CPU) for later calls.
  void set_style(const Tensor& host_style);
  // `host_content` ([1, 3, h, w] float32 in [0, 1] on the CPU) re-styled with the kept style at α: the network's
  // clamped output [1, 3, 8·ceil(h/8), 8·ceil(w/8)] on the CPU, valid until the next call.
  const Tensor& stylize(const Tensor& host_content, float alpha);

 private:
  class Cuda;  // the CUDA device's stream, network and buffers
  std::unique_ptr<AdaINNetwork> cpu_network_;
  std::unique_ptr<Cuda> cuda_;
  AdaINStyleStatistics cpu_statistics_;
  Tensor cpu_output_;  // a view into cpu_network_'s arena
};

}  // namespace genint::loader
