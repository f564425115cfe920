# Loader benchmarks: `genint-bench loader` (natural-only loader end to end) and `genint-bench queue`
# (the lock-free sample hand-off alone).
target_sources(genint-bench PRIVATE loader_bench.cpp queue_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_loader)
