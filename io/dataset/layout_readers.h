// One reader per dataset layout, called by build_dataset_index() once the layout is known.
// Each throws genint::Error naming the file or folder that is malformed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/dataset/dataset_index.h"

namespace genint::io {

DatasetIndex read_image_folder(const std::string& root, const DatasetIndexOptions& options);
DatasetIndex read_imagenet_v2(const std::string& root, const DatasetIndexOptions& options);
DatasetIndex read_objectnet(const std::string& root, const DatasetIndexOptions& options);
DatasetIndex read_file_list(const std::string& list_file, const DatasetIndexOptions& options);
DatasetIndex read_flat_with_label_file(const std::string& image_folder, const DatasetIndexOptions& options);

// "0", "17", "999": decimal without sign or leading zero, below 2^31. Returns -1 for anything else.
long parse_class_number(std::string_view text);
// "0", "1", ... "<largest>": the class names of layouts whose labels are numbers.
std::vector<std::string> numbered_class_names(long largest);
// The text of a file of at most `max_bytes`, or genint::Error "<what> <path>: <outcome> (<detail>)"; an empty
// file is such an error unless `empty_allowed`.
std::string read_text_file(const std::string& path, const std::string& what, std::uint64_t max_bytes,
                           bool empty_allowed);

}  // namespace genint::io
