# libFuzzer target for the safetensors reader's byte-span entry point, with a write/read round-trip
# invariant on every accepted input; seeds in corpus/safetensors, run by tools/run-fuzzers.
genint_add_fuzzer(NAME safetensors_fuzzer SOURCES safetensors_fuzzer.cpp LIBRARIES genint_io)
