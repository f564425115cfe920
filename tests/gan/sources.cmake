# gan test fragment: BigGAN-deep config, weight loading and the CPU forward against the reference goldens.
genint_add_test(NAME gan_biggan_golden_test SOURCES biggan/biggan_golden_test.cpp LIBRARIES genint_gan LABELS golden)
genint_add_test(NAME gan_biggan_loading_test SOURCES biggan/biggan_loading_test.cpp LIBRARIES genint_gan LABELS unit)
genint_add_test(NAME gan_biggan_random_weights_test SOURCES biggan/biggan_random_weights_test.cpp
                LIBRARIES genint_gan LABELS unit)
# CUDA forward vs the CPU forward (skips without a GPU; bench/device-check runs it on the GPU machine).
genint_add_test(NAME gan_biggan_cuda_test SOURCES biggan/biggan_cuda_test.cpp LIBRARIES genint_gan LABELS cuda)
# The CUDA forward in bf16 against the float32 CPU forward, and its FLOP count (skips without a GPU).
genint_add_test(NAME gan_biggan_bf16_cuda_test SOURCES biggan/biggan_bf16_cuda_test.cpp LIBRARIES genint_gan
                LABELS cuda)
