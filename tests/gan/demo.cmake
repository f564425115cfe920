# The committed demo generator (gan/demo): loading, the C++ forward against the reference package's outputs at
# two truncations, and PCA against closed-form directions on its trained (decaying) spectrum.
genint_add_test(NAME gan_demo_generator_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/demo_generator_test.cpp
  LIBRARIES genint_gan LABELS golden)
target_compile_definitions(gan_demo_generator_test PRIVATE GENINT_DEMO_DIR="${PROJECT_SOURCE_DIR}/gan/demo")
