# loader: config, sample order, sources, host memory and the mixing pipeline (into genint_loader).
# Paths are relative to loader/ (include() keeps the including CMakeLists' directory).
target_sources(genint_loader PRIVATE
  config/config_object.cpp
  config/loader_config.cpp
  order/shard_order.cpp
  source/source_statistics.cpp
  source/source_factory.cpp
  source/natural_source.cpp
  memory/host_memory.cpp
  memory/host_memory_dispatch.cpp
  device/device_batch_ring.cpp
  device/device_batch_ring_dispatch.cpp
  pipeline/loader_pipeline.cpp
  pipeline/in_place_production.cpp
  pipeline/loader_builder.cpp)
if(GENINT_WITH_CUDA)
  target_sources(genint_loader PRIVATE memory/host_memory.cu device/device_batch_ring.cu)
endif()
# Generated sources (gan/source.cmake records them): compiled into genint_loader because they implement its
# SampleSource and make_source() installs them explicitly (builtin_generated_source_factories()).
get_property(genint_generated_source_files GLOBAL PROPERTY GENINT_GENERATED_SOURCE_FILES)
if(NOT genint_generated_source_files)
  message(FATAL_ERROR "loader: gan/source.cmake did not record the generated sources (is it included by gan/?)")
endif()
target_sources(genint_loader PRIVATE ${genint_generated_source_files})
