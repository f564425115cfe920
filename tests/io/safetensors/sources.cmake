# Tests of io/safetensors: validation of hostile files, round trips, dtypes (unit), and files written
# by the real safetensors Python package (golden, tests/data/safetensors).
genint_add_test(NAME io_safetensors_test
                SOURCES safetensors/safetensors_hostile_test.cpp safetensors/safetensors_round_trip_test.cpp
                        safetensors/safetensors_dtype_test.cpp
                LIBRARIES genint_io LABELS unit)
genint_add_test(NAME io_safetensors_golden_test SOURCES safetensors/safetensors_python_fixture_test.cpp
                LIBRARIES genint_io LABELS golden)
