# nn/models: the torchvision ResNet family, forward/backward on the CPU or on CUDA through the ops' CUDA twins.
# Paths are relative to nn/ (included from nn/CMakeLists.txt). Weights load/save through io/safetensors (genint_nn links genint_io).
target_sources(genint_nn PRIVATE
  models/resnet.cpp
  models/resnet_units.cpp
  models/resnet_device_ops.cpp
  models/resnet_weights.cpp)
