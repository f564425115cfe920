// The loader's C functions: argument checks, config → pipeline, batches out as borrowed pointers, and
// statistics as structs or JSON. No exception leaves these functions (call_guarded catches everything).
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "loader/c_api/c_api_boundary.h"
#include "loader/config/loader_config.h"
#include "loader/pipeline/loader_builder.h"

struct genint_loader {
  genint::loader::LoaderConfig config;
  std::unique_ptr<genint::loader::LoaderPipeline> pipeline;
  // One per ring slot, filled once: the slot's arrays never move, so these are read-only while the loader lives.
  std::vector<genint_batch_extras> extras;
};

namespace genint::c_api {
namespace {

// The C struct is filled by copying the C++ records, so their layouts must agree field by field.
static_assert(sizeof(genint_intervention) == sizeof(loader::InterventionRecord), "intervention layouts differ");
static_assert(offsetof(genint_intervention, reserved) == offsetof(loader::InterventionRecord, reserved), "");
// Every byte is a field (no padding), so two identical batches are identical byte for byte.
static_assert(sizeof(loader::InterventionRecord) ==
                  2 * sizeof(std::int32_t) + sizeof(std::uint64_t) + 6 * sizeof(std::int32_t),
              "InterventionRecord has padding");
static_assert(offsetof(genint_intervention, latent_seed) == offsetof(loader::InterventionRecord, latent_seed), "");
static_assert(offsetof(genint_intervention, truncation) == offsetof(loader::InterventionRecord, truncation), "");
static_assert(offsetof(genint_intervention, space) == offsetof(loader::InterventionRecord, space), "");
static_assert(offsetof(genint_intervention, layer_begin) == offsetof(loader::InterventionRecord, layer_begin), "");
static_assert(offsetof(genint_intervention, layer_end) == offsetof(loader::InterventionRecord, layer_end), "");
static_assert(offsetof(genint_intervention, direction) == offsetof(loader::InterventionRecord, direction), "");
static_assert(offsetof(genint_intervention, step) == offsetof(loader::InterventionRecord, step), "");
static_assert(GENINT_SOURCE_INTERVENTION == static_cast<int>(loader::SourceKind::Intervention), "");
static_assert(GENINT_AUTO_AUGMENT_FIRST_APPLIED == loader::auto_augment_first_applied &&
                  GENINT_AUTO_AUGMENT_SECOND_APPLIED == loader::auto_augment_second_applied &&
                  GENINT_AUTO_AUGMENT_FIRST_NEGATED == loader::auto_augment_first_negated &&
                  GENINT_AUTO_AUGMENT_SECOND_NEGATED == loader::auto_augment_second_negated,
              "AutoAugment bits differ");
static_assert(GENINT_SOURCE_TRANSFERRED == static_cast<int>(loader::SourceKind::Transferred), "");

void require(bool condition, const char* message) {
  if (!condition) throw MisuseError(message);
}

// The ring slot a handed-out batch carries; one that cannot be a slot was overwritten by the caller.
std::uint32_t ring_slot_of(const genint_batch* batch, const char* function) {
  if (batch->ring_slot > UINT32_MAX) throw MisuseError(std::string(function) + ": the batch's ring_slot was changed");
  return static_cast<std::uint32_t>(batch->ring_slot);
}

genint_batch_extras c_extras(const loader::BatchExtrasView& view) {
  genint_batch_extras extras{};
  extras.struct_size = sizeof(genint_batch_extras);
  extras.mixup = view.mixup ? 1 : 0;
  extras.mixup_partners = view.mixup_partners;
  extras.mixup_partner_labels = view.mixup_partner_labels;
  extras.mixup_lambdas = view.mixup_lambdas;
  extras.auto_augment_sub_policies = view.auto_augment_sub_policies;
  extras.auto_augment_ops = view.auto_augment_ops;
  extras.transfer_alphas = view.transfer_alphas;
  return extras;
}

genint_loader* create(loader::LoaderConfig config) {
  auto handle = std::make_unique<genint_loader>();
  handle->config = std::move(config);
  handle->pipeline = loader::make_loader_pipeline(handle->config);
  for (std::uint32_t slot = 0; slot < handle->pipeline->ring_size(); ++slot)
    handle->extras.push_back(c_extras(handle->pipeline->slot_extras(slot)));
  return handle.release();
}

nlohmann::json source_json(const loader::LoaderPipeline& pipeline, std::size_t index) {
  const loader::SourceSnapshot snapshot = pipeline.source_snapshot(index);
  nlohmann::json skips = nlohmann::json::object();
  for (const auto& [reason, summary] : pipeline.source_statistics(index).skips_by_reason())
    skips[reason] = {{"count", summary.count}, {"examples", summary.example_paths}};
  return {{"kind", loader::source_kind_name(snapshot.kind)},
          {"count_per_batch", snapshot.count_per_batch},
          {"weight", snapshot.weight},
          {"threads", snapshot.threads},
          {"delivered", snapshot.delivered},
          {"samples_per_second", snapshot.samples_per_second},
          {"skipped", snapshot.skipped},
          {"skips", skips},
          {"buffers_in_use", snapshot.buffers_in_use},
          {"pool_size", snapshot.pool_size},
          {"batches_per_epoch", snapshot.batches_per_epoch}};
}

}  // namespace
}  // namespace genint::c_api

using namespace genint;  // the C functions below name the C++ types they wrap

extern "C" {

genint_status genint_loader_create_from_json(const char* config_json, genint_loader** out_loader) {
  return c_api::call_guarded([&] {
    c_api::require(out_loader != nullptr, "genint_loader_create_from_json: out_loader is NULL");
    *out_loader = nullptr;
    c_api::require(config_json != nullptr, "genint_loader_create_from_json: config_json is NULL");
    *out_loader = c_api::create(loader::parse_loader_config_text(config_json));
  });
}

genint_status genint_loader_create_from_file(const char* config_path, genint_loader** out_loader) {
  return c_api::call_guarded([&] {
    c_api::require(out_loader != nullptr, "genint_loader_create_from_file: out_loader is NULL");
    *out_loader = nullptr;
    c_api::require(config_path != nullptr, "genint_loader_create_from_file: config_path is NULL");
    *out_loader = c_api::create(loader::parse_loader_config_file(config_path));
  });
}

genint_status genint_loader_next_batch(genint_loader* handle, genint_batch* out_batch) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_next_batch: loader is NULL");
    c_api::require(out_batch != nullptr, "genint_loader_next_batch: out_batch is NULL");
    std::memset(out_batch, 0, sizeof(*out_batch));
    const loader::BatchView view = handle->pipeline->next_batch();
    out_batch->index = view.index;
    out_batch->epoch = view.epoch;
    out_batch->size = view.size;
    out_batch->image_size = handle->config.image_size;
    out_batch->layout =
        handle->config.layout == loader::SampleLayout::Uint8Hwc ? GENINT_LAYOUT_UINT8_HWC : GENINT_LAYOUT_FLOAT32_CHW;
    out_batch->pinned = handle->pipeline->pinned_memory() ? 1 : 0;
    out_batch->images = view.images;
    out_batch->sample_bytes = handle->pipeline->sample_bytes();
    out_batch->labels = view.labels;
    out_batch->weights = view.weights;
    out_batch->sources = view.sources;
    out_batch->items = view.items;
    out_batch->interventions = reinterpret_cast<const genint_intervention*>(view.interventions);
    out_batch->ring_slot = view.ring_slot;
  });
}

genint_status genint_loader_release_batch(genint_loader* handle, const genint_batch* batch) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_release_batch: loader is NULL");
    c_api::require(batch != nullptr, "genint_loader_release_batch: batch is NULL");
    handle->pipeline->release_batch(c_api::ring_slot_of(batch, "genint_loader_release_batch"), batch->index);
  });
}

genint_status genint_loader_source_count(const genint_loader* handle, int32_t* out_count) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_source_count: loader is NULL");
    c_api::require(out_count != nullptr, "genint_loader_source_count: out_count is NULL");
    *out_count = static_cast<int32_t>(handle->pipeline->source_count());
  });
}

genint_status genint_loader_source_stats(const genint_loader* handle, int32_t source_index,
                                         genint_source_stats* out_stats) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_source_stats: loader is NULL");
    c_api::require(out_stats != nullptr, "genint_loader_source_stats: out_stats is NULL");
    c_api::require(source_index >= 0 && static_cast<std::size_t>(source_index) < handle->pipeline->source_count(),
                   "genint_loader_source_stats: source_index is out of range");
    const loader::SourceSnapshot snapshot = handle->pipeline->source_snapshot(static_cast<std::size_t>(source_index));
    out_stats->kind = static_cast<int32_t>(snapshot.kind);
    out_stats->count_per_batch = snapshot.count_per_batch;
    out_stats->weight = snapshot.weight;
    out_stats->threads = snapshot.threads;
    out_stats->delivered = snapshot.delivered;
    out_stats->samples_per_second = snapshot.samples_per_second;
    out_stats->skipped = snapshot.skipped;
    out_stats->buffers_in_use = snapshot.buffers_in_use;
    out_stats->pool_size = snapshot.pool_size;
    out_stats->batches_per_epoch = snapshot.batches_per_epoch;
  });
}

genint_status genint_loader_stats_json(const genint_loader* handle, char* buffer, size_t capacity, size_t* out_length) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_stats_json: loader is NULL");
    c_api::require(out_length != nullptr, "genint_loader_stats_json: out_length is NULL");
    const loader::LoaderPipeline& pipeline = *handle->pipeline;
    nlohmann::json sources = nlohmann::json::array();
    for (std::size_t index = 0; index < pipeline.source_count(); ++index)
      sources.push_back(c_api::source_json(pipeline, index));
    const std::string text = nlohmann::json{
        {"batch_size", pipeline.batch_size()},
        {"ready_batches", pipeline.ready_batches()},
        {"pinned_memory", pipeline.pinned_memory()},
        {"output_device", pipeline.output_device()},
        {"sources", sources}}.dump();
    *out_length = text.size();
    if (buffer == nullptr) return;
    if (capacity <= text.size())
      throw MisuseError("genint_loader_stats_json: the buffer holds " + std::to_string(capacity) +
                        " bytes, the statistics need " + std::to_string(text.size() + 1));
    std::memcpy(buffer, text.c_str(), text.size() + 1);
  });
}

genint_status genint_loader_destroy(genint_loader* handle) {
  return c_api::call_guarded([&] { delete handle; });
}

genint_status genint_loader_device_batch(const genint_loader* handle, const genint_batch* batch,
                                         genint_device_batch* out_device) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_device_batch: loader is NULL");
    c_api::require(batch != nullptr, "genint_loader_device_batch: batch is NULL");
    c_api::require(out_device != nullptr, "genint_loader_device_batch: out_device is NULL");
    std::memset(out_device, 0, sizeof(*out_device));
    out_device->device_index = -1;
    const loader::DeviceBatchPointers pointers =
        handle->pipeline->device_batch(c_api::ring_slot_of(batch, "genint_loader_device_batch"), batch->index);
    out_device->device_index = pointers.device_index;
    out_device->images = pointers.images;
    out_device->labels = pointers.labels;
    out_device->weights = pointers.weights;
    out_device->copy_event = pointers.copy_done_event;
  });
}

genint_status genint_loader_wait_batch_on_stream(genint_loader* handle, const genint_batch* batch, void* stream) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_wait_batch_on_stream: loader is NULL");
    c_api::require(batch != nullptr, "genint_loader_wait_batch_on_stream: batch is NULL");
    handle->pipeline->wait_batch_on_stream(c_api::ring_slot_of(batch, "genint_loader_wait_batch_on_stream"),
                                           batch->index, stream);
  });
}

genint_status genint_loader_release_batch_on_stream(genint_loader* handle, const genint_batch* batch, void* stream) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_release_batch_on_stream: loader is NULL");
    c_api::require(batch != nullptr, "genint_loader_release_batch_on_stream: batch is NULL");
    handle->pipeline->release_batch_on_stream(c_api::ring_slot_of(batch, "genint_loader_release_batch_on_stream"),
                                              batch->index, stream);
  });
}

genint_status genint_loader_batch_extras(const genint_loader* handle, const genint_batch* batch,
                                         const genint_batch_extras** out_extras) {
  return c_api::call_guarded([&] {
    c_api::require(handle != nullptr, "genint_loader_batch_extras: loader is NULL");
    c_api::require(batch != nullptr, "genint_loader_batch_extras: batch is NULL");
    c_api::require(out_extras != nullptr, "genint_loader_batch_extras: out_extras is NULL");
    *out_extras = nullptr;
    const std::uint32_t slot = c_api::ring_slot_of(batch, "genint_loader_batch_extras");
    handle->pipeline->batch_extras(slot, batch->index);  // throws unless the batch is borrowed
    *out_extras = &handle->extras[slot];
  });
}

const char* genint_source_kind_name(int32_t kind) {
  if (kind < 0 || kind >= loader::source_kind_count) return "unknown";
  return loader::source_kind_name(static_cast<loader::SourceKind>(kind));
}

}  // extern "C"
