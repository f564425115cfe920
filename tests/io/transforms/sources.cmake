# Tests of io/transforms: torchvision crop geometry and distribution, the output pass and augmentations.
# The crop distribution is compared with tests/data/jpeg/rrc_reference.json (tools/golden/rrc_reference.py).
genint_add_test(NAME io_transforms_test SOURCES transforms/random_resized_crop_test.cpp
                transforms/image_augment_test.cpp LIBRARIES genint_io nlohmann_json::nlohmann_json LABELS unit)
# AutoAugment against torchvision (tests/data/golden/io/auto_augment.safetensors from
# tools/golden/make_autoaugment_goldens.py) and the policy's draw frequencies.
genint_add_test(NAME io_auto_augment_test SOURCES transforms/auto_augment_test.cpp
                transforms/auto_augment_policy_test.cpp transforms/auto_augment_pipeline_test.cpp LIBRARIES genint_io
                nlohmann_json::nlohmann_json
                LABELS golden)
