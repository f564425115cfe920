# The header-only C++ wrapper (loader/genint.hpp) against the shared libgenint; JPEG trees are written with OpenCV.
# Included by tests/loader/CMakeLists.txt, so paths are relative to tests/loader.
genint_add_test(NAME loader_genint_hpp_test SOURCES c_api/genint_hpp_test.cpp LIBRARIES genint ${OpenCV_LIBS}
                LABELS unit)
target_include_directories(loader_genint_hpp_test SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
