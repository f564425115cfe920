# Model benchmarks: the torchvision ResNet family on the CPU or CUDA (compare with tools/bench-resnet18-vs-pytorch).
target_sources(genint-bench PRIVATE resnet_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_nn)
