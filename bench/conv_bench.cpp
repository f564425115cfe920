// genint-bench conv: ResNet-50 convolution layers (stem 7x7/2, a 3x3 of stage 2, a 1x1/2 downsample),
// forward and forward+backward, on the CPU or a CUDA GPU; one JSON line per layer and pass.
#include <omp.h>

#include <random>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "nn/core/device.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/ops/conv2d.h"
#include "nn/tensor/arena.h"

namespace genint::bench {
namespace {

struct ConvLayer {
  const char* name;
  int in_channels, size, out_channels, kernel, stride, padding;
};

constexpr ConvLayer kLayers[] = {
    {"stem_7x7_s2", 3, 224, 64, 7, 2, 3},
    {"stage2_3x3", 128, 28, 128, 3, 1, 1},
    {"stage2_downsample_1x1_s2", 256, 56, 512, 1, 2, 0},
};

Tensor filled(const Shape& shape, Device device, unsigned seed) {
  std::vector<float> values(static_cast<std::size_t>(shape.element_count()));
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& value : values) value = uniform(generator);
  Tensor tensor = Tensor::empty(shape, DType::Float32, device);
  tensor.copy_from_host(values.data(), values.size() * sizeof(float));
  return tensor;
}

void bench_layer(const ConvLayer& layer, Device device, int batch, double seconds, bool allow_tf32) {
  Conv2dParams params;
  params.stride = layer.stride;
  params.padding = layer.padding;
  params.allow_tf32 = allow_tf32;
  const Tensor input = filled(Shape{batch, layer.in_channels, layer.size, layer.size}, device, 1);
  const Tensor weight = filled(Shape{layer.out_channels, layer.in_channels, layer.kernel, layer.kernel}, device, 2);
  const Conv2dShape shape = conv2d_shape(input, weight, params);
  const Shape output_shape{batch, layer.out_channels, shape.out_height(), shape.out_width()};
  const Tensor output = Tensor::empty(output_shape, DType::Float32, device);
  const Tensor output_grad = filled(output_shape, device, 3);
  const Tensor input_grad = Tensor::empty(input.shape(), DType::Float32, device);
  const Tensor weight_grad = Tensor::empty(weight.shape(), DType::Float32, device);
  Arena scratch(device);
  const double forward_flops =
      2.0 * static_cast<double>(shape.output_elements()) * layer.in_channels * layer.kernel * layer.kernel;
  for (const bool with_backward : {false, true}) {
    const double images_per_second = items_per_second(seconds, [&] {
      conv2d_forward(input, weight, Tensor{}, output, params, scratch);
      if (with_backward)
        conv2d_backward(input, weight, output_grad, input_grad, weight_grad, Tensor{}, params, scratch);
      if (device == Device::Cuda) cuda_synchronize();
      return batch;
    });
    const double flops_per_image = forward_flops / batch * (with_backward ? 3.0 : 1.0);
    print_json_line({{"bench", "conv"},
                     {"device", device == Device::Cpu ? "cpu" : "cuda"},
                     {"layer", layer.name},
                     {"pass", with_backward ? "forward_backward" : "forward"},
                     {"batch", batch},
                     {"tf32", allow_tf32},
                     {"threads", device == Device::Cpu ? omp_get_max_threads() : 0},
                     {"images_per_s", images_per_second},
                     {"gflop_per_s", images_per_second * flops_per_image / 1e9}});
  }
}

struct ConvBenchOptions {
  std::string device = "cpu";
  int batch = 0;  // 0: 8 on the CPU, 64 on CUDA
  std::string layer = "all";
  double seconds = 2.0;
  bool tf32 = false;
};

void declare_conv(CommandSpec command, ConvBenchOptions& options) {
  add_device_option(command, options.device);
  command.integer("--batch", options.batch, "images per call (default 8 on cpu, 64 on cuda)", 1, 65536)
      .default_text("");
  command.choice("--layer", options.layer, "one layer, or all",
                 {"all", "stem_7x7_s2", "stage2_3x3", "stage2_downsample_1x1_s2"});
  command.number("--seconds", options.seconds, "measured wall time per layer and pass", 0.0, 86400.0, true);
  command.flag("--tf32", options.tf32, "cuda: allow TF32 tensor-core math");
}

int run_conv(const ConvBenchOptions& options) {
  const Device device = options.device == "cpu" ? Device::Cpu : Device::Cuda;
  if (device == Device::Cuda) GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
  const int batch = options.batch != 0 ? options.batch : device == Device::Cpu ? 8 : 64;
  for (const ConvLayer& layer : kLayers)
    if (options.layer == "all" || options.layer == layer.name)
      bench_layer(layer, device, batch, options.seconds, options.tf32);
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "conv",
                                    make_subcommand("ResNet-50 conv layers, forward and forward+backward images/s",
                                                    declare_conv, run_conv));

}  // namespace
}  // namespace genint::bench
