# gan test fragment: the intervention source alone (records, pixels, layouts, spaces), its config errors, and
# end to end through the loader and the C API with natural JPEGs. All on the tiny golden BigGAN, CPU only.
genint_add_test(NAME gan_source_test
  SOURCES source/intervention_source_test.cpp source/intervention_source_config_test.cpp
  LIBRARIES genint_loader LABELS unit)
genint_add_test(NAME gan_source_loader_test SOURCES source/intervention_loader_test.cpp
  LIBRARIES genint_loader genint LABELS unit)
# "device": "cuda" against the CPU source for the same seeds, alone and in a two-thread loader (skips without a
# GPU; bench/device-check runs it on the GPU machine).
genint_add_test(NAME gan_source_cuda_test SOURCES source/intervention_source_cuda_test.cpp
  LIBRARIES genint_loader LABELS cuda)
