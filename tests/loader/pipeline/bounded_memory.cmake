# The loader's memory bound, measured on the real natural source (heap in use before and after thousands of batches).
genint_add_test(NAME loader_bounded_memory_test SOURCES pipeline/bounded_memory_test.cpp LIBRARIES genint_loader
                ${OpenCV_LIBS} LABELS unit)
target_include_directories(loader_bounded_memory_test SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
