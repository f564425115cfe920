// ObjectNet 1.0: images/<folder>/ plus mappings/ (folder → ObjectNet label → "; "-separated ImageNet label
// strings → ImageNet class indices). Folders whose ObjectNet class has no ImageNet mapping are excluded.
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "io/dataset/directory_walk.h"
#include "io/dataset/layout_readers.h"
#include "nn/core/error.h"

namespace genint::io {

namespace {

std::string read_mapping_text(const std::string& path) {
  return read_text_file(path, "ObjectNet mapping", std::uint64_t{1} << 28, false);
}

// A mapping file that must hold one JSON object.
nlohmann::json read_mapping_object(const std::string& path) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(read_mapping_text(path));
  } catch (const nlohmann::json::exception& error) {
    throw Error("ObjectNet mapping " + path + " is not valid JSON: " + error.what());
  }
  GENINT_CHECK(document.is_object(), "ObjectNet mapping " + path + " is not a JSON object");
  return document;
}

// A JSON object whose values are all strings.
std::map<std::string, std::string> read_string_map(const std::string& path) {
  const nlohmann::json document = read_mapping_object(path);
  std::map<std::string, std::string> result;
  for (const auto& [key, value] : document.items()) {
    GENINT_CHECK(value.is_string(), "ObjectNet mapping " + path + ": the value of '" + key + "' is not a string");
    result.emplace(key, value.get<std::string>());
  }
  return result;
}

// pytorch_to_imagenet_2012_id.json: {"<pytorch class index>": <line of imagenet_to_label_2012_v2>, ...}.
std::vector<long> read_line_to_class(const std::string& path, std::size_t line_count) {
  const nlohmann::json document = read_mapping_object(path);
  std::vector<long> class_of_line(line_count, -1);
  for (const auto& [key, value] : document.items()) {
    const long class_index = parse_class_number(key);
    GENINT_CHECK(class_index >= 0, "ObjectNet mapping " + path + ": key '" + key + "' is not a class index");
    GENINT_CHECK(
        value.is_number_integer() && value.get<long>() >= 0 && static_cast<std::size_t>(value.get<long>()) < line_count,
        "ObjectNet mapping " + path + ": the line of class " + key + " is not in 0.." + std::to_string(line_count - 1));
    class_of_line[static_cast<std::size_t>(value.get<long>())] = class_index;
  }
  return class_of_line;
}

// ImageNet label string → class index. Where a string is on several lines the last one wins, as in
// ObjectNet's own scripts (a dict built line by line); those strings are remembered to be reported.
struct ImageNetLabels {
  std::map<std::string, long> class_of_label;
  std::set<std::string> ambiguous;
};

ImageNetLabels read_imagenet_labels(const std::string& mappings, DatasetIndex& index) {
  const std::string path = mappings + "/imagenet_to_label_2012_v2";
  const std::string text = read_mapping_text(path);
  std::vector<std::string> lines;
  for (std::size_t begin = 0; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    GENINT_CHECK(!line.empty(),
                 "ObjectNet mapping " + path + " line " + std::to_string(lines.size() + 1) + " is empty");
    lines.push_back(std::move(line));
    begin = end + 1;
  }
  const std::string order_path = mappings + "/pytorch_to_imagenet_2012_id.json";
  struct stat status {};
  std::vector<long> class_of_line(lines.size());
  if (::stat(order_path.c_str(), &status) == 0) {
    class_of_line = read_line_to_class(order_path, lines.size());
  } else {
    for (std::size_t line = 0; line < lines.size(); ++line) class_of_line[line] = static_cast<long>(line);
    index.add_finding(IndexFindingKind::ImageNetLineOrderAssumed, "mappings/imagenet_to_label_2012_v2",
                      "no pytorch_to_imagenet_2012_id.json: line i is taken as class i");
  }
  ImageNetLabels labels;
  for (std::size_t line = 0; line < lines.size(); ++line) {
    if (class_of_line[line] < 0) continue;
    if (!labels.class_of_label.emplace(lines[line], class_of_line[line]).second) {
      labels.class_of_label[lines[line]] = class_of_line[line];
      labels.ambiguous.insert(lines[line]);
    }
  }
  return labels;
}

// "analog clock; digital clock" → the sorted distinct class indices of each label string.
std::vector<std::int32_t> imagenet_targets(const std::string& objectnet_label, const std::string& imagenet_label_list,
                                           const ImageNetLabels& labels, const std::string& mapping_file,
                                           DatasetIndex& index) {
  std::vector<std::int32_t> targets;
  std::size_t begin = 0;
  while (begin <= imagenet_label_list.size()) {
    std::size_t end = imagenet_label_list.find(';', begin);
    if (end == std::string::npos) end = imagenet_label_list.size();
    std::string name = imagenet_label_list.substr(begin, end - begin);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    const auto found = labels.class_of_label.find(name);
    GENINT_CHECK(found != labels.class_of_label.end(), "ObjectNet mapping " + mapping_file + ": '" + objectnet_label +
                                                           "' maps to '" + name + "', which is not an ImageNet label");
    if (labels.ambiguous.count(name) != 0)
      index.add_finding(IndexFindingKind::AmbiguousImageNetLabel, name,
                        "on several lines; class " + std::to_string(found->second) + " (the last) used");
    targets.push_back(static_cast<std::int32_t>(found->second));
    begin = end + 1;
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  return targets;
}

}  // namespace

DatasetIndex read_objectnet(const std::string& root, const DatasetIndexOptions& options) {
  const std::string mappings = root + "/mappings";
  const std::string to_imagenet_file = mappings + "/objectnet_to_imagenet_1k.json";
  const std::string folder_file = mappings + "/folder_to_objectnet_label.json";
  const auto objectnet_to_imagenet = read_string_map(to_imagenet_file);
  const auto folder_to_objectnet = read_string_map(folder_file);
  struct stat status {};
  const bool has_images_folder = ::stat((root + "/images").c_str(), &status) == 0 && S_ISDIR(status.st_mode);
  const std::string image_root = has_images_folder ? root + "/images" : root;
  DatasetIndex index(image_root, DatasetLayout::ObjectNet);
  const ImageNetLabels imagenet_labels = read_imagenet_labels(mappings, index);

  const DirectoryListing listing = list_directory(image_root);
  GENINT_CHECK(listing.opened, "ObjectNet image folder " + image_root + ": " + listing.error);
  std::vector<std::string> class_folders;
  std::vector<std::int32_t> labels;
  for (std::size_t entry = 0; entry < listing.folders.size(); ++entry) {
    const std::string folder(listing.folders[entry]);
    if (!has_images_folder && folder == "mappings") continue;
    const auto objectnet_label = folder_to_objectnet.find(folder);
    GENINT_CHECK(objectnet_label != folder_to_objectnet.end(),
                 "ObjectNet folder " + image_root + "/" + folder + " is not in " + folder_file);
    const auto imagenet_label_list = objectnet_to_imagenet.find(objectnet_label->second);
    if (imagenet_label_list == objectnet_to_imagenet.end()) {
      index.add_finding(IndexFindingKind::UnmappedObjectNetFolder, folder,
                        "'" + objectnet_label->second + "' has no ImageNet class: excluded");
      continue;
    }
    index.add_target_set(imagenet_targets(objectnet_label->second, imagenet_label_list->second, imagenet_labels,
                                          to_imagenet_file, index));
    labels.push_back(static_cast<std::int32_t>(class_folders.size()));
    class_folders.push_back(folder);
  }
  GENINT_CHECK(!class_folders.empty(), "ObjectNet folder " + image_root + " has no folder of a mapped class");
  index.set_class_names(class_folders);
  index.add_skipped(listing.hidden_entries, listing.other_files + listing.image_files.size());
  index_class_folders(index, image_root, class_folders, labels, options.threads);
  return index;
}

}  // namespace genint::io
