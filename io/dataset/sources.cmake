# io/dataset: dataset indexes (ImageFolder, ImageNet-V2, ObjectNet, file lists, flat folder + label file)
# and the genint-data program (subcommands; `scan` indexes a tree and decodes every file once).
target_sources(genint_io PRIVATE
  dataset/dataset_index.cpp
  dataset/directory_walk.cpp
  dataset/class_folder_layouts.cpp
  dataset/label_file_layouts.cpp
  dataset/objectnet_layout.cpp)

add_executable(genint-data
  cli/genint_data.cpp
  cli/scan_command.cpp)
target_link_libraries(genint-data PRIVATE genint_io nlohmann_json::nlohmann_json Threads::Threads)
genint_target_defaults(genint-data)
install(TARGETS genint-data RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
