// CUDA kernels of BigGAN-deep's private layer pieces and its self-attention matmuls (cuBLAS strided batched
// GEMM, FP32 or TF32). Row-major matrices are read by cuBLAS as their column-major transposes, as in linear.cu.
#include "gan/biggan/biggan_layers_cuda.h"
#include "nn/core/cuda_check.h"
#include "nn/ops/cublas_handle.cuh"
#include "nn/ops/gemm_precision.cuh"

namespace genint {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(std::int64_t count) {
  return static_cast<unsigned>((count + kThreads - 1) / kThreads);
}

// One thread per output element: output[image, channel, position] = features[image, position, channel].
__global__ void features_to_nchw_kernel(const float* features, std::int64_t total, int channels, int plane,
                                        float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total) return;
  const std::int64_t per_image = static_cast<std::int64_t>(channels) * plane;
  const std::int64_t image = index / per_image, within = index % per_image;
  const std::int64_t channel = within / plane, position = within % plane;
  output[index] = features[image * per_image + position * channels + channel];
}

__global__ void add_skip_kernel(const float* skip, SkipShape shape, std::int64_t total, float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total) return;
  const int out_resolution = shape.skip_resolution * shape.factor;
  const std::int64_t out_plane = static_cast<std::int64_t>(out_resolution) * out_resolution;
  const std::int64_t plane = index / out_plane, within = index % out_plane;
  const std::int64_t image = plane / shape.output_channels, channel = plane % shape.output_channels;
  const int row = static_cast<int>(within / out_resolution), column = static_cast<int>(within % out_resolution);
  const std::int64_t skip_plane = static_cast<std::int64_t>(shape.skip_resolution) * shape.skip_resolution;
  const float* source = skip + (image * shape.skip_channels + channel) * skip_plane;
  output[index] += source[(row / shape.factor) * shape.skip_resolution + column / shape.factor];
}

__global__ void add_scaled_kernel(const float* attention_out, float gamma, std::int64_t count, float* activations) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  // __fmul_rn/__fadd_rn keep the CPU's separate multiply and add (no FMA contraction).
  if (index < count) activations[index] = __fadd_rn(activations[index], __fmul_rn(gamma, attention_out[index]));
}

__global__ void add_constant_kernel(float* values, float constant, std::int64_t count) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index < count) values[index] = constant + values[index];
}

// Column-major, per batch entry: C[m×n] = op(A) · op(B).
void batched_gemm(void* stream, cublasOperation_t op_a, cublasOperation_t op_b, int m, int n, int k, const float* a,
                  int lda, long long stride_a, const float* b, int ldb, long long stride_b, float* c, int ldc,
                  long long stride_c, int batch, const LinearCudaOptions& options) {
  const float one = 1.0f, zero = 0.0f;
  const cublasComputeType_t compute = linear_compute_type(options.allow_tf32, options.bf16);
  GENINT_CUBLAS_CHECK(cublasGemmStridedBatchedEx(cublas_handle_on(stream), op_a, op_b, m, n, k, &one, a, CUDA_R_32F,
                                                 lda, stride_a, b, CUDA_R_32F, ldb, stride_b, &zero, c, CUDA_R_32F, ldc,
                                                 stride_c, batch, compute, CUBLAS_GEMM_DEFAULT));
}

}  // namespace

void biggan_features_to_nchw_cuda(const float* features, int batch, int channels, int size, float* output,
                                  void* stream) {
  const int plane = size * size;
  const std::int64_t total = static_cast<std::int64_t>(batch) * channels * plane;
  if (total == 0) return;
  features_to_nchw_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      features, total, channels, plane, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

void biggan_add_skip_cuda(const float* skip, const SkipShape& shape, float* output, void* stream) {
  const std::int64_t out_resolution = static_cast<std::int64_t>(shape.skip_resolution) * shape.factor;
  const std::int64_t total =
      static_cast<std::int64_t>(shape.batch) * shape.output_channels * out_resolution * out_resolution;
  if (total == 0) return;
  add_skip_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(skip, shape, total, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

void biggan_add_scaled_cuda(const float* attention_out, float gamma, std::int64_t count, float* activations,
                            void* stream) {
  if (count == 0) return;
  add_scaled_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(attention_out, gamma, count,
                                                                                           activations);
  GENINT_CUDA_CHECK_LAUNCH();
}

void biggan_add_constant_cuda(float* values, float constant, std::int64_t count, void* stream) {
  if (count == 0) return;
  add_constant_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(values, constant, count);
  GENINT_CUDA_CHECK_LAUNCH();
}

void biggan_attention_scores_cuda(const BigGanAttentionShape& shape, const float* theta, const float* phi,
                                  float* scores, const LinearCudaOptions& gemm) {
  // Row-major scores [P×Q] is column-major scoresᵀ [Q×P] = phiᵀ · theta. phi's memory is column-major
  // phiᵀ [Q×K] (ld Q, no transpose); theta's memory is column-major thetaᵀ [P×K] (ld P), transposed to K×P.
  const long long positions = shape.positions, pooled = shape.pooled, keys = shape.key_channels;
  batched_gemm(gemm.stream, CUBLAS_OP_N, CUBLAS_OP_T, shape.pooled, shape.positions, shape.key_channels, phi,
               shape.pooled, keys * pooled, theta, shape.positions, keys * positions, scores, shape.pooled,
               positions * pooled, shape.batch, gemm);
}

void biggan_attention_values_cuda(const BigGanAttentionShape& shape, const float* g, const float* attention,
                                  float* output, const LinearCudaOptions& gemm) {
  // Row-major output [V×P] is column-major outputᵀ [P×V] = attention · gᵀ. attention's memory is column-major
  // attentionᵀ [Q×P] (ld Q), transposed to P×Q; g's memory is column-major gᵀ [Q×V] (ld Q, no transpose).
  const long long positions = shape.positions, pooled = shape.pooled, values = shape.value_channels;
  batched_gemm(gemm.stream, CUBLAS_OP_T, CUBLAS_OP_N, shape.positions, shape.value_channels, shape.pooled, attention,
               shape.pooled, positions * pooled, g, shape.pooled, values * pooled, output, shape.positions,
               values * positions, shape.batch, gemm);
}

}  // namespace genint
