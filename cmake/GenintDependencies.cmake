# Finds the Debian-packaged dependencies: libjpeg-turbo, OpenCV (core, imgproc; imgcodecs for tools and tests),
# moodycamel's ConcurrentQueue, nlohmann-json, CLI11 (the tools' command lines), OpenBLAS, OpenMP and threads.
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 2 CONFIG REQUIRED)
find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue.h PATH_SUFFIXES concurrentqueue REQUIRED)
add_library(genint_concurrentqueue INTERFACE)
target_include_directories(genint_concurrentqueue SYSTEM INTERFACE "${CONCURRENTQUEUE_INCLUDE_DIR}")
# OpenBLAS: Debian installs the cblas header beside the library's pkg-config file.
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
