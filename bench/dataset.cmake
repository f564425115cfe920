# genint-bench index: dataset indexing speed on a synthetic ImageNet-train-sized tree.
target_sources(genint-bench PRIVATE dataset_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_io)
