# gan fragment: GANSpace directions (streamed PCA, regression, closed form, directions files) and the
# intervention sampler. Paths relative to gan/.
target_sources(genint_gan PRIVATE
  directions/symmetric_eigen.cpp
  directions/incremental_pca.cpp
  directions/direction_set.cpp
  directions/direction_discovery.cpp)
target_sources(genint_gan PRIVATE
  interventions/intervention_sampler.cpp)
