# Tests of io/scenes: IDX reading, the nuisance laws and confound measure, corruptions, the generator,
# and genint-data fashion-scenes run as a subprocess. None needs the Fashion-MNIST package.
find_package(ZLIB REQUIRED)
genint_add_test(NAME io_scenes_test
  SOURCES scenes/idx_file_test.cpp scenes/nuisance_model_test.cpp scenes/corruptions_test.cpp
          scenes/fashion_scenes_test.cpp
  LIBRARIES genint_io ZLIB::ZLIB LABELS unit)

genint_add_test(NAME io_scenes_command_test SOURCES scenes/fashion_scenes_command_test.cpp
  LIBRARIES genint_io ZLIB::ZLIB LABELS unit)
target_compile_definitions(io_scenes_command_test PRIVATE GENINT_DATA_PROGRAM="$<TARGET_FILE:genint-data>")
add_dependencies(io_scenes_command_test genint-data)
