# nn benchmarks: ResNet-50 convolution layers on the CPU (im2col + OpenBLAS) or cuDNN.
target_sources(genint-bench PRIVATE conv_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_nn)
