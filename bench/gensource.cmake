# gan/source benchmark: `genint-bench gensource`, the intervention source alone (sampler + BigGAN CPU forward
# + resize/quantize/normalize) on one producer thread. Its default model is the golden tiny one.
target_sources(genint-bench PRIVATE intervention_source_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_loader)
target_compile_definitions(genint-bench PRIVATE
  GENINT_GENSOURCE_DEFAULT_WEIGHTS="${PROJECT_SOURCE_DIR}/tests/data/golden/gan/biggan_tiny.safetensors")
