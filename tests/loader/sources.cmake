# Loader tests beyond the C API basics: order, config, pipeline (synthetic sources), natural source, C API.
genint_add_test(NAME loader_order_test SOURCES order/shard_order_test.cpp LIBRARIES genint_loader LABELS unit)
genint_add_test(NAME loader_pipeline_test SOURCES pipeline/loader_pipeline_test.cpp LIBRARIES genint_loader LABELS unit)
genint_add_test(NAME loader_c_api_loader_test SOURCES c_api/c_api_loader_test.cpp LIBRARIES genint ${OpenCV_LIBS}
                LABELS unit)
target_include_directories(loader_c_api_loader_test SYSTEM PRIVATE ${OpenCV_INCLUDE_DIRS})
genint_add_test(NAME loader_config_test SOURCES config/loader_config_test.cpp LIBRARIES genint_loader LABELS unit)
# Device output: device batches against the host batches; links the static loader (not libgenint) so the GPU
# pack stays free of the image codecs. Skips without a GPU; bench/device-check runs it.
genint_add_test(NAME loader_device_cuda_test SOURCES device/device_output_cuda_test.cpp LIBRARIES genint_loader
                LABELS cuda)
