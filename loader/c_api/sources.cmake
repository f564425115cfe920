# The loader's exported C functions, compiled into the shared libgenint itself: symbols from static archives
# linked into it are hidden by --exclude-libs, so they must not live in genint_loader.
target_sources(genint PRIVATE c_api/loader_c_api.cpp)
