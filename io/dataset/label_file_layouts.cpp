// Layouts described by a text file: a file list ("path label" lines) and a flat folder of images with a
// label file ("name label" lines, or one label per line in sorted-name order). Formats: dataset_layouts.md.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "io/dataset/directory_walk.h"
#include "io/dataset/layout_readers.h"
#include "io/files/file_reader.h"
#include "nn/core/error.h"

namespace genint::io {

namespace {

struct TextLine {
  std::size_t number;     // 1-based, for messages
  std::string_view text;  // trimmed, never empty, never a comment
};

std::string_view trim(std::string_view text) {
  const auto is_space = [](char letter) { return letter == ' ' || letter == '\t' || letter == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Non-empty lines that are not '#' comments.
std::vector<TextLine> meaningful_lines(const std::string& text) {
  std::vector<TextLine> lines;
  std::size_t begin = 0, number = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    ++number;
    const std::string_view line = trim(std::string_view(text).substr(begin, end - begin));
    if (!line.empty() && line.front() != '#') lines.push_back({number, line});
    begin = end + 1;
  }
  return lines;
}

// Splits at the last run of blanks: "some path/with spaces.jpg 12" → {"some path/with spaces.jpg", "12"}.
// A line without blanks gives an empty first part.
std::pair<std::string_view, std::string_view> split_last_word(std::string_view line) {
  const std::size_t blank = line.find_last_of(" \t");
  if (blank == std::string_view::npos) return {std::string_view(), line};
  return {trim(line.substr(0, blank)), line.substr(blank + 1)};
}

std::string where(const std::string& file, std::size_t line) {
  return file + " line " + std::to_string(line);
}

std::int32_t parse_label(std::string_view word, const std::string& file, std::size_t line) {
  const long number = parse_class_number(word);
  GENINT_CHECK(number >= 0, where(file, line) + ": label '" + std::string(word) +
                                "' is not a class index (a non-negative integer without leading zeros)");
  return static_cast<std::int32_t>(number);
}

std::string parent_folder(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string read_text_file(const std::string& path, const std::string& what, std::uint64_t max_bytes,
                           bool empty_allowed) {
  std::vector<std::uint8_t> bytes;
  const FileReadResult result = read_file_into(path, bytes, max_bytes);
  GENINT_CHECK(result.outcome == FileReadOutcome::Ok || (empty_allowed && result.outcome == FileReadOutcome::Empty),
               what + " " + path + ": " + file_read_outcome_name(result.outcome) + " (" + result.detail + ")");
  return std::string(bytes.begin(), bytes.end());
}

DatasetIndex read_file_list(const std::string& list_file, const DatasetIndexOptions& /*options*/) {
  const std::string text = read_text_file(list_file, "file list", std::uint64_t{1} << 30, true);
  const std::vector<TextLine> lines = meaningful_lines(text);
  GENINT_CHECK(!lines.empty(), "file list " + list_file + " has no entries");
  DatasetIndex index(parent_folder(list_file), DatasetLayout::FileList);
  index.reserve(lines.size(), text.size());
  std::int32_t largest_label = 0;
  for (const TextLine& line : lines) {
    const auto [path, word] = split_last_word(line.text);
    GENINT_CHECK(!path.empty(),
                 where(list_file, line.number) + ": expected 'path label', got '" + std::string(line.text) + "'");
    const std::int32_t label = parse_label(word, list_file, line.number);
    largest_label = std::max(largest_label, label);
    index.add_file(path, label);
  }
  index.set_class_names(numbered_class_names(largest_label));
  return index;
}

namespace {

// Labels as written in a flat layout's label file, before they become class indices.
struct FlatLabels {
  std::vector<std::string> image_names;  // sorted; only the labelled ones
  std::vector<std::string> label_words;
};

FlatLabels read_flat_labels(const std::string& label_file, const NameList& images, DatasetIndex& index) {
  const std::string text = read_text_file(label_file, "label file", std::uint64_t{1} << 30, true);
  const std::vector<TextLine> lines = meaningful_lines(text);
  GENINT_CHECK(!lines.empty(), "label file " + label_file + " has no labels");
  const bool named = !split_last_word(lines.front().text).first.empty();
  FlatLabels labels;
  if (!named) {
    GENINT_CHECK(lines.size() == images.size(), "label file " + label_file + " has " + std::to_string(lines.size()) +
                                                    " labels for " + std::to_string(images.size()) + " images");
    for (std::size_t image = 0; image < images.size(); ++image) {
      GENINT_CHECK(split_last_word(lines[image].text).first.empty(),
                   where(label_file, lines[image].number) + ": expected one label per line like line " +
                       std::to_string(lines.front().number) + ", got '" + std::string(lines[image].text) + "'");
      labels.image_names.emplace_back(images[image]);
      labels.label_words.emplace_back(lines[image].text);
    }
    return labels;
  }
  std::unordered_map<std::string_view, std::size_t> line_of_name;
  for (std::size_t line = 0; line < lines.size(); ++line) {
    const std::string_view name = split_last_word(lines[line].text).first;
    GENINT_CHECK(!name.empty(), where(label_file, lines[line].number) + ": expected 'name label' like line " +
                                    std::to_string(lines.front().number) + ", got '" + std::string(lines[line].text) +
                                    "'");
    GENINT_CHECK(line_of_name.emplace(name, line).second,
                 where(label_file, lines[line].number) + ": '" + std::string(name) + "' is labelled twice");
  }
  for (std::size_t image = 0; image < images.size(); ++image) {
    const auto found = line_of_name.find(images[image]);
    if (found == line_of_name.end()) {
      index.add_finding(IndexFindingKind::UnlabelledImage, std::string(images[image]), "not in " + label_file);
      continue;
    }
    labels.image_names.emplace_back(images[image]);
    labels.label_words.emplace_back(split_last_word(lines[found->second].text).second);
    line_of_name.erase(found);
  }
  if (!line_of_name.empty()) {
    const auto first_missing =
        std::min_element(line_of_name.begin(), line_of_name.end(),
                         [](const auto& left, const auto& right) { return left.second < right.second; });
    throw Error(where(label_file, lines[first_missing->second].number) + ": '" + std::string(first_missing->first) +
                "' is not an image in " + index.root() + " (" + std::to_string(line_of_name.size()) + " such names)");
  }
  return labels;
}

// Integer labels are class indices; otherwise labels are class names (wnids) looked up in `class_names`
// (or, when none are given, in the sorted distinct names: ImageFolder's order for the same classes).
std::vector<std::int32_t> resolve_flat_labels(const FlatLabels& labels, std::vector<std::string> class_names,
                                              const std::string& label_file, DatasetIndex& index) {
  const bool numeric = std::all_of(labels.label_words.begin(), labels.label_words.end(),
                                   [](const std::string& word) { return parse_class_number(word) >= 0; });
  std::vector<std::int32_t> resolved;
  if (numeric) {
    std::int32_t largest = 0;
    for (const auto& word : labels.label_words) resolved.push_back(static_cast<std::int32_t>(parse_class_number(word)));
    for (const auto label : resolved) largest = std::max(largest, label);
    if (class_names.empty()) class_names = numbered_class_names(largest);
    GENINT_CHECK(static_cast<std::size_t>(largest) < class_names.size(),
                 "label file " + label_file + " uses class " + std::to_string(largest) + " of only " +
                     std::to_string(class_names.size()) + " classes");
  } else {
    if (class_names.empty()) {
      const std::set<std::string> distinct(labels.label_words.begin(), labels.label_words.end());
      class_names.assign(distinct.begin(), distinct.end());
    }
    std::map<std::string, std::int32_t> index_of_name;
    for (std::size_t name = 0; name < class_names.size(); ++name)
      index_of_name.emplace(class_names[name], static_cast<std::int32_t>(name));
    for (std::size_t image = 0; image < labels.label_words.size(); ++image) {
      const auto found = index_of_name.find(labels.label_words[image]);
      GENINT_CHECK(found != index_of_name.end(), "label file " + label_file + ": label '" + labels.label_words[image] +
                                                     "' of " + labels.image_names[image] + " is not a known class");
      resolved.push_back(found->second);
    }
  }
  index.set_class_names(std::move(class_names));
  return resolved;
}

}  // namespace

DatasetIndex read_flat_with_label_file(const std::string& image_folder, const DatasetIndexOptions& options) {
  GENINT_CHECK(!options.label_file.empty(), "a flat folder of images (" + image_folder + ") needs a label file");
  const DirectoryListing listing = list_directory(image_folder);
  GENINT_CHECK(listing.opened, "image folder " + image_folder + ": " + listing.error);
  DatasetIndex index(image_folder, DatasetLayout::FlatWithLabelFile);
  const FlatLabels labels = read_flat_labels(options.label_file, listing.image_files, index);
  const std::vector<std::int32_t> resolved =
      resolve_flat_labels(labels, options.class_names, options.label_file, index);
  for (std::size_t image = 0; image < resolved.size(); ++image)
    index.add_file(labels.image_names[image], resolved[image]);
  index.add_skipped(listing.hidden_entries, listing.other_files);
  return index;
}

}  // namespace genint::io
