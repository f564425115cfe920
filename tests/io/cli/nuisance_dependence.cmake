# genint-data nuisance-dependence run as a subprocess on CSVs the test writes, checked against
# io/scenes/confound_measure called in-process.
genint_add_test(NAME io_nuisance_dependence_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/nuisance_dependence_command_test.cpp
  LIBRARIES genint_io LABELS unit)
target_compile_definitions(io_nuisance_dependence_test PRIVATE GENINT_DATA_PROGRAM="$<TARGET_FILE:genint-data>")
add_dependencies(io_nuisance_dependence_test genint-data)
