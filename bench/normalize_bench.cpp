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

int run_normalize(const std::vector<std::string>& arguments) {
  const BenchOptions options(arguments, {"device", "batch", "size", "seconds"});
  const std::string device = options.text("device", "cpu");
  const int batch = options.integer("batch", 256), size = options.integer("size", 224);
  const double seconds = options.number("seconds", 2.0);
  GENINT_CHECK(device == "cpu" || device == "cuda", "--device must be cpu or cuda");
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

const BenchCommandRegistrar registrar("normalize",
                                      {"uint8 HWC → normalized float CHW (--device cpu|cuda)", run_normalize});

}  // namespace
}  // namespace genint::bench
