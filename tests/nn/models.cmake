# Tests of nn/models (ResNet): structure, init, weights I/O and memory (unit); torchvision goldens (golden).
genint_add_test(NAME nn_models_test SOURCES models/resnet_test.cpp LIBRARIES genint_nn LABELS unit)
genint_add_test(NAME nn_models_golden_test SOURCES models/resnet_golden_test.cpp
                LIBRARIES genint_nn LABELS golden)
# CUDA ResNet vs its CPU twin (skips without a GPU; bench/device-check runs it on the GPU machine).
genint_add_test(NAME nn_models_cuda_test SOURCES models/resnet_cuda_test.cpp LIBRARIES genint_nn LABELS cuda)
