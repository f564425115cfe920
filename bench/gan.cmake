# gan benchmarks: `genint-bench biggan`, the BigGAN-deep forward on the CPU or CUDA. Its default model is the
# golden tiny one; --config random-256 builds full-size random weights.
target_sources(genint-bench PRIVATE biggan_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_gan)
target_compile_definitions(genint-bench PRIVATE
  GENINT_BIGGAN_DEFAULT_WEIGHTS="${PROJECT_SOURCE_DIR}/tests/data/golden/gan/biggan_tiny.safetensors")
