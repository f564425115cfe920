# Tests of nn/models (ResNet): structure, init, weights I/O and memory (unit); torchvision goldens (golden).
genint_add_test(NAME nn_models_test SOURCES models/resnet_test.cpp LIBRARIES genint_nn LABELS unit)
genint_add_test(NAME nn_models_golden_test SOURCES models/resnet_golden_test.cpp
                LIBRARIES genint_nn LABELS golden)
# CUDA ResNet vs its CPU twin (skips without a GPU; bench/device-check runs it on the GPU machine).
genint_add_test(NAME nn_models_cuda_test SOURCES models/resnet_cuda_test.cpp LIBRARIES genint_nn LABELS cuda)
# bf16 (issue 4): the rounding rule and the CPU twins of conv2d's and ResNet's bf16 mode (unit), and the CUDA bf16
# conversions, convolutions and ResNet training step against those twins (cuda; bench/device-check runs it).
genint_add_test(NAME nn_bf16_test SOURCES ops/bfloat16_convert_test.cpp models/resnet_bf16_test.cpp
                LIBRARIES genint_nn LABELS unit)
genint_add_test(NAME nn_bf16_cuda_test SOURCES ops/conv2d_bf16_cuda_test.cpp models/resnet_bf16_cuda_test.cpp
                LIBRARIES genint_nn LABELS cuda)
