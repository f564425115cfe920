# io/transforms: torchvision-compatible crop geometry, the per-sample RNG, augmentations and the output pass.
# The output pass uses nn's normalization affine so float output equals normalize_images_cpu bit for bit.
target_sources(genint_io PRIVATE
  transforms/sample_random.cpp
  transforms/random_resized_crop.cpp
  transforms/image_augment.cpp
  transforms/region_resize.cpp
  transforms/auto_augment.cpp
  transforms/auto_augment_ops.cpp
  transforms/auto_augment_geometry.cpp)
target_link_libraries(genint_io PUBLIC genint_nn)
# AutoAugment replicates torch's float32 rounding step by step; a compiler fusing a multiply and an add into
# one FMA (GCC does under -mfma/-march) would change last bits and so some uint8 outputs.
set_source_files_properties(transforms/auto_augment.cpp transforms/auto_augment_ops.cpp
                            transforms/auto_augment_geometry.cpp PROPERTIES COMPILE_OPTIONS -ffp-contract=off)
