# bf16 for the models' CUDA paths: float32 ↔ bfloat16 conversion (CPU twin, dispatch, CUDA kernels), used by
# conv2d's bf16 mode (cuDNN bf16 tensors, float accumulation). Paths are relative to nn/.
target_sources(genint_nn PRIVATE
  ops/bfloat16_convert_cpu.cpp
  ops/bfloat16_convert_dispatch.cpp)
if(GENINT_WITH_CUDA)
  target_sources(genint_nn PRIVATE ops/bfloat16_convert.cu)
endif()
