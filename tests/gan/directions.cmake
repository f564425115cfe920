# gan test fragment: streamed PCA, directions files, GANSpace discovery (synthetic and the tiny BigGAN),
# and the intervention sampler (statistics, edits, generator integration).
genint_add_test(NAME gan_directions_test
  SOURCES directions/incremental_pca_test.cpp directions/direction_set_test.cpp directions/direction_discovery_test.cpp
  LIBRARIES genint_gan LABELS unit)
genint_add_test(NAME gan_directions_golden_test SOURCES directions/tiny_model_agreement_test.cpp
  LIBRARIES genint_gan LABELS golden)
genint_add_test(NAME gan_interventions_test
  SOURCES interventions/intervention_statistics_test.cpp interventions/intervention_edit_test.cpp
  LIBRARIES genint_gan LABELS unit)
