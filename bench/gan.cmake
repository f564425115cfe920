# gan benchmarks: `genint-bench biggan`, the BigGAN-deep CPU forward. Its default model is the golden tiny one.
target_sources(genint-bench PRIVATE biggan_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_gan)
target_compile_definitions(genint-bench PRIVATE
  GENINT_BIGGAN_DEFAULT_WEIGHTS="${PROJECT_SOURCE_DIR}/tests/data/golden/gan/biggan_tiny.safetensors")
