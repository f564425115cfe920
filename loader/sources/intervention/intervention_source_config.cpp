// The intervention source's config entry: the intervention's own keys are gan's (read_intervention); the source
// adds where its generator runs ("chunk", "device", "device_index", "precision") and the loader's image.
#include "gan/interventions/intervention_settings.h"
#include "loader/sources/intervention/intervention_source.h"
#include "nn/core/config_object.h"
#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint {

GeneratorBackend read_generator_backend(ConfigObject& object, const loader::LoaderConfig& config) {
  GeneratorBackend backend;
  const std::string device = object.choice("device", "cpu", {"cpu", "cuda"});
  if (device == "cpu") {
    object.reject_inapplicable({"device_index", "precision"}, "with device 'cpu' (the CPU forward is float32)");
    return backend;
  }
  backend.device = Device::Cuda;
  const int default_index = config.output_device == loader::OutputDevice::Cuda ? config.output_device_index : 0;
  backend.device_index = static_cast<int>(object.integer("device_index", default_index, 0, 1024));
  const std::string precision = object.choice("precision", "float32", {"float32", "tf32", "bf16"});
  backend.precision = precision == "tf32"   ? GeneratorPrecision::Tf32
                      : precision == "bf16" ? GeneratorPrecision::Bfloat16
                                            : GeneratorPrecision::Float32;
  if (!cuda_backend_built())
    throw ConfigError(
        object.field("device"),
        "'cuda' needs genint built with its CUDA backend (-DGENINT_CUDA=ON); this build has none: use 'cpu'");
  const int present = cuda_device_count();
  if (backend.device_index >= present)
    throw ConfigError(object.field(object.has("device_index") ? "device_index" : "device"),
                      "CUDA device " + std::to_string(backend.device_index) + " does not exist (" +
                          std::to_string(present) + " present: " + cuda_device_description() + ")");
  return backend;
}

void refuse_activation_space_on_cuda(const ConfigObject& object, const GeneratorBackend& backend,
                                     InterventionSpace space) {
  if (backend.device == Device::Cuda && is_activation_space(space))
    throw ConfigError(object.field("device"), "space '" + std::string(intervention_space_name(space)) +
                                                  "' edits activations inside the forward, which only the CPU "
                                                  "generator can (the CUDA forward has no hooks): use 'cpu'");
}

std::unique_ptr<loader::SampleSource> make_intervention_source(const loader::LoaderConfig& config,
                                                               const loader::SourceSettings& settings) {
  ConfigObject object(settings.own_settings, settings.path);
  InterventionSourceSettings source_settings;
  LoadedIntervention loaded = read_intervention(object, [&](const InterventionSettings& intervention) {
    source_settings.chunk = static_cast<int>(object.integer("chunk", 8, 1, 1024));
    source_settings.backend = read_generator_backend(object, config);
    refuse_activation_space_on_cuda(object, source_settings.backend, intervention.intervention.space);
  });
  static_cast<InterventionSettings&>(source_settings) = std::move(loaded.settings);
  source_settings.image_size = config.image_size;
  source_settings.layout =
      config.layout == loader::SampleLayout::Uint8Hwc ? GeneratedLayout::Uint8Hwc : GeneratedLayout::Float32Chw;
  // Anything left that the source refuses is a combination of keys: name the entry itself.
  return as_config_error(object, "space", [&]() -> std::unique_ptr<loader::SampleSource> {
    return std::make_unique<InterventionSource>(std::move(source_settings), std::move(loaded.weights),
                                                std::move(loaded.directions));
  });
}

}  // namespace genint
