// genint-bench normalize: uint8 HWC batch → normalized float CHW, on the CPU or a CUDA GPU.
// Reports images/s and the memory traffic it implies (3 bytes read + 12 written per pixel).
#include <random>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "nn/core/device.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/ops/normalize_images.h"

namespace genint::bench {
namespace {

struct NormalizeBenchOptions {
  std::string device = "cpu";
  int batch = 256, size = 224;
  double seconds = 2.0;
};

void declare_normalize(CommandSpec command, NormalizeBenchOptions& options) {
  add_device_option(command, options.device);
  command.integer("--batch", options.batch, "images per call", 1, 65536);
  command.integer("--size", options.size, "image side in pixels", 1, 8192);
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
}

int run_normalize(const NormalizeBenchOptions& options) {
  const std::string& device = options.device;
  const int batch = options.batch, size = options.size;
  const double seconds = options.seconds;
  const std::size_t pixels = static_cast<std::size_t>(batch) * size * size;
  std::vector<std::uint8_t> images(pixels * 3);
  std::mt19937 generator(3);
  for (auto& value : images) value = static_cast<std::uint8_t>(generator());
  const ImageNormalization normalization;
  double images_per_second = 0.0;
  if (device == "cpu") {
    std::vector<float> output(pixels * 3);
    images_per_second = items_per_second(seconds, [&] {
      normalize_images_cpu(images.data(), batch, size, size, normalization, output.data());
      return batch;
    });
  } else {
    GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
    DeviceBuffer device_images(images.size()), device_output(pixels * 3 * sizeof(float));
    device_images.copy_from_host(images.data(), images.size());
    images_per_second = items_per_second(seconds, [&] {
      // Ten launches per synchronisation, so the timing measures the kernel, not the sync.
      for (int repeat = 0; repeat < 10; ++repeat)
        normalize_images(OpTarget::cuda(), static_cast<const std::uint8_t*>(device_images.data()), batch, size, size,
                         normalization, static_cast<float*>(device_output.data()));
      cuda_synchronize();
      return 10 * batch;
    });
  }
  const double bytes_per_image = 15.0 * size * size;
  print_json_line({{"bench", "normalize"},
                   {"device", device},
                   {"batch", batch},
                   {"size", size},
                   {"images_per_s", images_per_second},
                   {"gb_per_s", images_per_second * bytes_per_image / 1e9}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "normalize",
                                    make_subcommand("uint8 HWC → normalized float CHW, images/s and GB/s",
                                                    declare_normalize, run_normalize));

}  // namespace
}  // namespace genint::bench
