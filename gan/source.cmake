# gan fragment: the intervention source (a loader SampleSource built on the BigGAN forward and the sampler).
# It implements a loader interface and the loader's factory registry calls it, so its objects must sit in
# genint_loader itself (genint_gan cannot depend on genint_loader): this fragment records the sources in a
# global property and loader/sources.cmake adds them to genint_loader. Absolute paths: consumed elsewhere.
set_property(GLOBAL APPEND PROPERTY GENINT_GENERATED_SOURCE_FILES
  ${CMAKE_CURRENT_SOURCE_DIR}/source/generated_image.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/source/intervention_source.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/source/intervention_source_config.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/source/source_generator.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/source/generator_device_dispatch.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/source/builtin_generated_sources.cpp)
