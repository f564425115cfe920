# io benchmarks: `genint-bench natural`, the natural-image path end to end.
# tools/bench-natural-ratio compares it with ../shared/bench/reference-natural.
target_sources(genint-bench PRIVATE natural_bench.cpp)
target_link_libraries(genint-bench PRIVATE genint_io)
