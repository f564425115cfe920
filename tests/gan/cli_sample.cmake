# genint-gan sample run as a subprocess on the tiny golden BigGAN: layout, records, pixels regenerated
# in-process from the records, intervention keys and refusals.
genint_add_test(NAME gan_cli_sample_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli/sample_command_test.cpp
  LIBRARIES genint_loader ${OpenCV_LIBS} LABELS unit)
target_include_directories(gan_cli_sample_test SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
target_compile_definitions(gan_cli_sample_test PRIVATE GENINT_GAN_PROGRAM="$<TARGET_FILE:genint-gan>")
add_dependencies(gan_cli_sample_test genint-gan)
