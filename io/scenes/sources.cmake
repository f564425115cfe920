# io/scenes: the fashion-scenes confounded benchmark (IDX reading, nuisance laws, scene rendering,
# ImageNet-C corruptions, the generator) and its genint-data subcommand.
find_package(ZLIB REQUIRED)
target_sources(genint_io PRIVATE
  scenes/idx_file.cpp
  scenes/nuisance_model.cpp
  scenes/confound_measure.cpp
  scenes/scene_renderer.cpp
  scenes/corruptions.cpp
  scenes/scene_records.cpp
  scenes/fashion_scenes.cpp)
target_link_libraries(genint_io PRIVATE ZLIB::ZLIB)

target_sources(genint-data PRIVATE cli/fashion_scenes_command.cpp)
