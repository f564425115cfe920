// The transferred producer's AdaIN network on the CPU or on a CUDA device. On CUDA each style and content image is
// uploaded on the stylizer's stream and the output copied back on it; every call runs with its device current.
#include "loader/sources/transferred/stylizer.h"

#include "nn/core/cuda_stream.h"

namespace genint::loader {
namespace {

// `tensor` as float32 of `like`'s shape on `device`, reallocated only when the shape changes (a source's styles all
// have one size, and so do its contents: after the first call nothing is allocated).
void shape_like(Tensor& tensor, const Tensor& like, Device device) {
  if (tensor.raw_data() == nullptr || tensor.shape() != like.shape())
    tensor = Tensor::empty(like.shape(), DType::Float32, device);
}

}  // namespace

// Released in the destructor's body with the device current: the stream drained and destroyed first, then the
// device buffers and the network.
class Stylizer::Cuda {
 public:
  Cuda(const std::string& network_path, const GeneratorBackend& backend)
      : device_index_(backend.device_index), stream_(backend.device_index) {
    const CurrentDeviceScope scope(device_index_);
    AdaINNetworkConfig config;
    config.device = Device::Cuda;
    config.stream = stream_.get();
    config.precision = backend.precision == GeneratorPrecision::Tf32       ? AdaINPrecision::Tf32
                       : backend.precision == GeneratorPrecision::Bfloat16 ? AdaINPrecision::Bf16
                                                                           : AdaINPrecision::Float32;
    network_ = std::make_unique<AdaINNetwork>(network_path, config);
  }
  ~Cuda() {
    release_on_device(device_index_, "transferred source's AdaIN network", [this] { release(); });
  }

  void set_style(const Tensor& host_style) {
    const CurrentDeviceScope scope(device_index_);
    shape_like(style_, host_style, Device::Cuda);
    style_.copy_from_host(host_style.raw_data(), host_style.byte_count(), stream_.get());
    network_->style_statistics(style_, statistics_);  // into the kept tensors: no cudaMalloc/cudaFree per style
  }

  const Tensor& stylize(const Tensor& host_content, float alpha) {
    const CurrentDeviceScope scope(device_index_);
    shape_like(content_, host_content, Device::Cuda);
    content_.copy_from_host(host_content.raw_data(), host_content.byte_count(), stream_.get());
    const Tensor stylized = network_->stylize(content_, statistics_, alpha);
    shape_like(output_, stylized, Device::Cpu);
    // Returns once the bytes are on the host: the stream's work up to here is done.
    stylized.copy_to_host(output_.raw_data(), output_.byte_count(), stream_.get());
    return output_;
  }

 private:
  // The stream goes first, drained by CudaStream's release (which never throws; the device batch ring does the same):
  // queued work may still read the buffers freed after it.
  void release() noexcept {
    stream_ = CudaStream();
    statistics_ = AdaINStyleStatistics{};
    style_ = Tensor();
    content_ = Tensor();
    network_.reset();
  }

  int device_index_;
  CudaStream stream_;
  std::unique_ptr<AdaINNetwork> network_;
  AdaINStyleStatistics statistics_;
  Tensor style_, content_;  // on the device
  Tensor output_;           // on the host
};

Stylizer::Stylizer(const std::string& network_path, const GeneratorBackend& backend) {
  if (backend.device == Device::Cuda)
    cuda_ = std::make_unique<Cuda>(network_path, backend);
  else
    cpu_network_ = std::make_unique<AdaINNetwork>(network_path);
}

Stylizer::~Stylizer() = default;

void Stylizer::set_style(const Tensor& host_style) {
  if (cuda_) return cuda_->set_style(host_style);
  cpu_network_->style_statistics(host_style, cpu_statistics_);
}

const Tensor& Stylizer::stylize(const Tensor& host_content, float alpha) {
  if (cuda_) return cuda_->stylize(host_content, alpha);
  cpu_output_ = cpu_network_->stylize(host_content, cpu_statistics_, alpha);
  return cpu_output_;
}

}  // namespace genint::loader
