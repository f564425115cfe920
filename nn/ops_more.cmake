# The ResNet and BigGAN elementwise, normalisation, pooling and loss ops: CPU twins and dispatch files always,
# the .cu kernels only when GENINT_WITH_CUDA. Paths are relative to nn/ (included from nn/CMakeLists.txt).
target_sources(genint_nn PRIVATE
  ops/batch_norm_cpu.cpp ops/batch_norm_dispatch.cpp
  ops/relu_cpu.cpp ops/relu_dispatch.cpp
  ops/max_pool_cpu.cpp ops/max_pool_dispatch.cpp
  ops/global_average_pool_cpu.cpp ops/global_average_pool_dispatch.cpp
  ops/residual_add_cpu.cpp ops/residual_add_dispatch.cpp
  ops/cross_entropy_cpu.cpp ops/cross_entropy_dispatch.cpp
  ops/conditional_batch_norm_cpu.cpp ops/conditional_batch_norm_dispatch.cpp
  ops/upsample_cpu.cpp ops/upsample_dispatch.cpp
  ops/softmax_cpu.cpp ops/softmax_dispatch.cpp
  ops/reflection_pad_cpu.cpp ops/reflection_pad_dispatch.cpp
  ops/tanh_cpu.cpp ops/tanh_dispatch.cpp)
if(GENINT_WITH_CUDA)
  target_sources(genint_nn PRIVATE
    ops/batch_norm.cu ops/relu.cu ops/max_pool.cu ops/global_average_pool.cu ops/residual_add.cu
    ops/cross_entropy.cu ops/conditional_batch_norm.cu ops/upsample.cu ops/softmax.cu ops/reflection_pad.cu
    ops/tanh.cu)
endif()
