# Tests of io/jpeg: pixel agreement (OpenCV, full vs region, scaled vs full on the corpus) and hostile inputs.
# The corpus test skips where ../shared/bench/jpeg-corpus is absent.
genint_add_test(NAME io_jpeg_test SOURCES jpeg/jpeg_decoder_test.cpp LIBRARIES genint_io LABELS unit)
genint_add_test(NAME io_jpeg_hostile_test SOURCES jpeg/jpeg_hostile_test.cpp LIBRARIES genint_io LABELS unit)
