# Tests of the elementwise/normalisation/pooling/loss ops (nn/ops_more.cmake): finite-difference and behaviour
# checks (unit), PyTorch goldens (golden) and each CUDA kernel against its CPU twin (cuda).
genint_add_test(NAME nn_ops_more_test
                SOURCES ops/batch_norm_test.cpp ops/relu_test.cpp ops/max_pool_test.cpp
                        ops/global_average_pool_test.cpp ops/residual_add_test.cpp ops/cross_entropy_test.cpp
                LIBRARIES genint_nn genint_io LABELS unit)
genint_add_test(NAME nn_ops_more_golden_test
                SOURCES ops/batch_norm_golden_test.cpp ops/relu_golden_test.cpp ops/max_pool_golden_test.cpp
                        ops/global_average_pool_golden_test.cpp ops/residual_add_golden_test.cpp
                        ops/cross_entropy_golden_test.cpp ops/conditional_batch_norm_golden_test.cpp
                        ops/upsample_golden_test.cpp ops/softmax_golden_test.cpp ops/reflection_pad_golden_test.cpp
                        ops/tanh_golden_test.cpp
                LIBRARIES genint_nn genint_io LABELS golden)
genint_add_test(NAME nn_ops_more_cuda_test
                SOURCES ops/batch_norm_cuda_test.cpp ops/relu_cuda_test.cpp ops/max_pool_cuda_test.cpp
                        ops/global_average_pool_cuda_test.cpp ops/residual_add_cuda_test.cpp
                        ops/cross_entropy_cuda_test.cpp ops/conditional_batch_norm_cuda_test.cpp
                        ops/upsample_cuda_test.cpp ops/softmax_cuda_test.cpp ops/reflection_pad_cuda_test.cpp
                        ops/tanh_cuda_test.cpp
                LIBRARIES genint_nn genint_io LABELS cuda)
