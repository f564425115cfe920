# Fuzzer for the natural decode path: JpegDecoder with fuzzed crop requests, then NaturalSampleMaker.
# Seeds: any JPEGs, e.g. ../shared/bench/jpeg-corpus (libjpeg itself is not instrumented, our code is).
genint_add_fuzzer(NAME jpeg_decode_fuzzer SOURCES jpeg_decode_fuzzer.cpp LIBRARIES genint_io)
