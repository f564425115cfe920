# io/transforms: torchvision-compatible crop geometry, the per-sample RNG, augmentations and the output pass.
# The output pass uses nn's normalization affine so float output equals normalize_images_cpu bit for bit.
target_sources(genint_io PRIVATE
  transforms/sample_random.cpp
  transforms/random_resized_crop.cpp
  transforms/image_augment.cpp
  transforms/region_resize.cpp)
target_link_libraries(genint_io PUBLIC genint_nn)
