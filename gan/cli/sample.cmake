# genint-gan sample: generated images in ImageFolder layout plus their records. It builds the loader's
# intervention source (whose objects live in genint_loader, see gan/source.cmake) to read the same keys.
target_sources(genint-gan PRIVATE sample_command.cpp)
target_link_libraries(genint-gan PRIVATE genint_loader)
