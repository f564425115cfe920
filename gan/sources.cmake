# gan fragment: BigGAN-deep (config, converted-weight loading, CPU forward, CUDA forward, random full-size
# weights for benchmarks). Paths relative to gan/.
target_sources(genint_gan PRIVATE
  biggan/biggan_config.cpp
  biggan/biggan_weights.cpp
  biggan/biggan_truncation.cpp
  biggan/biggan_generator.cpp
  biggan/biggan_layers_cpu.cpp
  biggan/biggan_generator_cuda.cpp
  biggan/biggan_generator_cuda_layers.cpp
  biggan/biggan_layers_cuda_dispatch.cpp
  biggan/biggan_random_weights.cpp)
if(GENINT_WITH_CUDA)
  target_sources(genint_gan PRIVATE biggan/biggan_layers.cu)
endif()
# Converted weights are safetensors files: the reader lives in genint_io.
target_link_libraries(genint_gan PUBLIC genint_io)
