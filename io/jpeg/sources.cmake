# io/jpeg: the JPEG (and misnamed PNG) decoder. libjpeg's own API comes from libjpeg62-turbo (-ljpeg);
# the existing PkgConfig::TURBOJPEG target only exports the tj* functions.
target_sources(genint_io PRIVATE jpeg/jpeg_decoder.cpp)
find_library(GENINT_LIBJPEG_LIBRARY NAMES jpeg REQUIRED)
target_link_libraries(genint_io PUBLIC ${GENINT_LIBJPEG_LIBRARY})
