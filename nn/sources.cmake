# nn fragment: tensors and arenas, the dense ops (conv2d, linear, their GEMM helper) and the SGD optimizer.
# Each op is a header, a CPU file (the truth), a dispatch file and a .cu file that joins only with CUDA.
target_sources(genint_nn PRIVATE
  tensor/tensor.cpp
  tensor/tensor_memory_dispatch.cpp
  tensor/arena.cpp
  ops/gemm_cpu.cpp
  ops/conv2d_cpu.cpp
  ops/conv2d_cpu_lowering.cpp
  ops/conv2d_dispatch.cpp
  ops/linear_cpu.cpp
  ops/linear_dispatch.cpp
  optim/sgd_cpu.cpp
  optim/sgd_dispatch.cpp
  optim/learning_rate_schedule.cpp)
if(GENINT_WITH_CUDA)
  target_sources(genint_nn PRIVATE
    ops/conv2d.cu
    ops/linear.cu
    optim/sgd.cu)
endif()
