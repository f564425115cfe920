# io/safetensors: the weight-file format of the project: reader with full header validation over a
# read-only mmap or a byte span, and a writer byte-compatible with the reference implementation.
target_sources(genint_io PRIVATE
  safetensors/mapped_file.cpp
  safetensors/safetensors_dtype.cpp
  safetensors/safetensors_reader.cpp
  safetensors/safetensors_writer.cpp)
