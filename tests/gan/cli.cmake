# genint-gan directions run as a subprocess on the tiny golden BigGAN: files equal the in-process discovery,
# deeper layers, and refusals of bad options.
genint_add_test(NAME gan_cli_directions_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli/directions_command_test.cpp
  LIBRARIES genint_gan LABELS unit)
target_compile_definitions(gan_cli_directions_test PRIVATE GENINT_GAN_PROGRAM="$<TARGET_FILE:genint-gan>")
add_dependencies(gan_cli_directions_test genint-gan)
