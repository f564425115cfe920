genint_add_test(NAME io_files_test SOURCES files/file_reader_test.cpp LIBRARIES genint_io LABELS unit)
