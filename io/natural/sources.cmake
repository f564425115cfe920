# io/natural: the per-thread NaturalSampleMaker (decode → crop → resize → augment → normalize).
# Its header is what the loader codes against: io/natural/natural_pipeline.h.
target_sources(genint_io PRIVATE natural/natural_pipeline.cpp)
