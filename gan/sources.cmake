# gan fragment: BigGAN-deep (config, converted-weight loading, CPU forward). Paths relative to gan/.
target_sources(genint_gan PRIVATE
  biggan/biggan_config.cpp
  biggan/biggan_weights.cpp
  biggan/biggan_truncation.cpp
  biggan/biggan_generator.cpp
  biggan/biggan_layers_cpu.cpp)
# Converted weights are safetensors files: the reader lives in genint_io.
target_link_libraries(genint_gan PUBLIC genint_io)
