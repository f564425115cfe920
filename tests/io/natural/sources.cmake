# Tests of io/natural: the per-thread sample maker end to end.
# Uses the libjpeg test encoder from tests/io/jpeg/jpeg_test_support.h.
genint_add_test(NAME io_natural_test SOURCES natural/natural_pipeline_test.cpp LIBRARIES genint_io LABELS unit)
