# Tests of io/dataset: every index layout, and genint-data scan run as a subprocess on hostile trees.
genint_add_test(NAME io_dataset_index_test
  SOURCES dataset/class_folder_index_test.cpp dataset/label_file_index_test.cpp dataset/objectnet_index_test.cpp
  LIBRARIES genint_io LABELS unit)

genint_add_test(NAME io_dataset_scan_test SOURCES dataset/scan_command_test.cpp LIBRARIES genint_io LABELS unit)
target_compile_definitions(io_dataset_scan_test PRIVATE GENINT_DATA_PROGRAM="$<TARGET_FILE:genint-data>")
add_dependencies(io_dataset_scan_test genint-data)
