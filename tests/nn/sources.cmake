# nn fragment: tensors and arenas, conv2d/linear (CPU truth, PyTorch goldens, CUDA vs CPU) and SGD.
genint_add_test(NAME nn_tensor_test SOURCES tensor/tensor_test.cpp tensor/arena_test.cpp
                LIBRARIES genint_nn LABELS unit)
genint_add_test(NAME nn_dense_ops_test SOURCES ops/conv2d_test.cpp ops/linear_test.cpp optim/sgd_test.cpp
                LIBRARIES genint_nn nlohmann_json::nlohmann_json LABELS unit)
genint_add_test(NAME nn_dense_golden_test
                SOURCES ops/conv2d_golden_test.cpp ops/linear_golden_test.cpp optim/sgd_golden_test.cpp
                LIBRARIES genint_nn nlohmann_json::nlohmann_json LABELS golden)
genint_add_test(NAME nn_dense_cuda_test
                SOURCES tensor/tensor_cuda_test.cpp ops/conv2d_cuda_test.cpp ops/linear_cuda_test.cpp
                        optim/sgd_cuda_test.cpp
                LIBRARIES genint_nn nlohmann_json::nlohmann_json LABELS cuda)
# The golden-file reader and comparison shared by every golden test (tests/support/golden_file.h).
genint_add_test(NAME nn_golden_file_test SOURCES support/golden_file_test.cpp LIBRARIES genint_nn LABELS unit)
