# install(): libgenint with its C header, an exported CMake package (find_package(genint)) and a
# pkg-config file, so an existing trainer links genint either way.
include(CMakePackageConfigHelpers)
install(TARGETS genint EXPORT genintTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/genint)
# The header-only C++ wrapper sits beside genint.h (it includes it as "genint.h").
install(FILES ${PROJECT_SOURCE_DIR}/loader/genint.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/genint)
install(EXPORT genintTargets NAMESPACE genint:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/genint)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/genintConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/genintConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/genint)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/genintConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/genintConfig.cmake ${PROJECT_BINARY_DIR}/genintConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/genint)
# The .pc file finds the prefix relative to itself (multiarch libdirs are one level deeper).
file(RELATIVE_PATH GENINT_PC_PREFIX_FROM_PCFILEDIR "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/genint.pc.in ${PROJECT_BINARY_DIR}/genint.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/genint.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
