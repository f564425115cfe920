#!/usr/bin/env python3
# Builds a small random BigGAN-deep with the real pytorch-pretrained-biggan code, converts it with
# tools/convert_biggan.py and writes the weights, inputs and reference outputs gan/biggan's tests compare against.
"""Run from the repository root (the reference package is pure Python; fetch it with
   python3 -m pip download --no-deps pytorch-pretrained-biggan -d /tmp/ppb && cd /tmp/ppb && unzip -o *.whl):

   PYTHONPATH=/tmp/ppb /usr/bin/python3 tools/golden/make_biggan_goldens.py

Writes tests/data/golden/gan/biggan_tiny.safetensors (converted weights, config in __metadata__),
tests/data/golden/gan/biggan_tiny_cases.safetensors (inputs and outputs),
tests/data/golden/gan/biggan_tiny_blocks.safetensors (the tiny model's gen_z and every generator.layers module's
output, from forward hooks, on the cases' z and classes at truncation 0.4, a grid point) and
tests/data/golden/gan/biggan_deep_128_layout.json (the full 128 model, random weights: the reference's parameter
count and every converted tensor's name and shape, no weights). Cases:
  - truncation 1.0 and 0.4: grid points (truncation / 0.02 has no fractional part in math.modf), where the
    reference picks one stored batch-norm statistics set; outputs are the unmodified reference's.
  - truncation 0.43 and 0.415: between grid points. The reference interpolates there with the two weights
    swapped (stats[i] * coef + stats[i + 1] * (1 - coef)). genint does the correct interpolation
    (stats[i] * (1 - coef) + stats[i + 1] * coef), so the golden comes from the reference with
    BigGANBatchNorm.forward patched to that. The swapped reference output at 0.415 is stored too, to show
    that they differ (at 0.43, coef = 0.5 and the swap changes nothing).
  - per-layer latents (GANSpace's mechanism): latent 0 feeds gen_z, latent k + 1 the k-th GenBlock; each is
    concatenated with the same class embedding, exactly as GANSpace's BigGAN wrapper does.
It also asserts that the converter's spectral-norm fold equals torch's eval-mode weight, tensor by tensor.
"""
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch



def import_reference_model():
    """Loads the package's config.py and model.py as they are. Its __init__ also imports file_utils (a download
    helper needing boto3 and requests, absent here and unused: we never download), so that one module is
    replaced by a stand-in whose cached_path refuses to run."""
    spec = importlib.util.find_spec("pytorch_pretrained_biggan")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pytorch_pretrained_biggan not found: set PYTHONPATH (see the docstring)")
    folder = list(spec.submodule_search_locations)[0]
    package = types.ModuleType("pytorch_pretrained_biggan")
    package.__path__ = [folder]
    sys.modules["pytorch_pretrained_biggan"] = package
    file_utils = types.ModuleType("pytorch_pretrained_biggan.file_utils")

    def cached_path(*_arguments, **_keywords):
        raise RuntimeError("downloads are disabled in the golden maker")

    file_utils.cached_path = cached_path
    sys.modules["pytorch_pretrained_biggan.file_utils"] = file_utils
    modules = {}
    for name in ("config", "model"):
        module_spec = importlib.util.spec_from_file_location(f"pytorch_pretrained_biggan.{name}",
                                                             os.path.join(folder, name + ".py"))
        modules[name] = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = modules[name]
        module_spec.loader.exec_module(modules[name])
    return modules["model"]


reference_model = import_reference_model()
BigGAN, BigGANConfig = reference_model.BigGAN, reference_model.BigGANConfig

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))
import convert_biggan  # noqa: E402  (tools/ is not a package)
import safetensors_io  # noqa: E402

COMMAND = "PYTHONPATH=/tmp/ppb /usr/bin/python3 tools/golden/make_biggan_goldens.py"
OUTPUT_DIR = os.path.join(REPO, "tests", "data", "golden", "gan")
BATCH = 3
# 0.43 is half-way between 0.42 and 0.44 (coef 0.5), where the reference's swapped weights give the same
# answer; 0.415 (coef 0.75) is where the swap shows.
OFF_GRID = (0.43, 0.415)
SEED = 20240611

# Output 32: three 2x upsamplings from 4x4. Channel multipliers halve where in != out (the reference's skip
# keeps x0[:, :in // 2]). Attention sits before layer 4, whose input is 2 * ch channels at 16x16, as the
# 128-pixel model's sits before a 2 * ch block at 64x64.
TINY_CONFIG = dict(output_dim=32, z_dim=16, class_embed_dim=16, channel_width=8, num_classes=10,
                   layers=[[False, 16, 16], [True, 16, 8], [False, 8, 4], [True, 4, 2], [False, 2, 2], [True, 2, 1]],
                   attention_layer_position=4, eps=1e-4, n_stats=51)


def randomise(model, generator):
    """Default init leaves attention gamma at 0, stats at 0/1 and the unconditional bn uninitialised."""
    for module in model.modules():
        if isinstance(module, reference_model.BigGANBatchNorm):
            shape = module.running_means.shape
            module.running_means.copy_(torch.randn(shape, generator=generator) * 0.5)
            module.running_vars.copy_(torch.rand(shape, generator=generator) * 1.5 + 0.5)
            if not module.conditional:
                module.weight.data.copy_(torch.rand(module.num_features, generator=generator) + 0.5)
                module.bias.data.copy_(torch.randn(module.num_features, generator=generator) * 0.2)
        if isinstance(module, reference_model.SelfAttn):
            module.gamma.data.fill_(0.7)
    for name, parameter in model.named_parameters():
        if name.endswith(".bias"):
            parameter.data.copy_(torch.randn(parameter.shape, generator=generator) * 0.1)
    model.embeddings.weight.data.copy_(torch.randn(model.embeddings.weight.shape, generator=generator) * 0.5)


def converge_power_iteration(model, z, classes):
    """Train-mode forwards run spectral norm's power iteration, giving realistic u, v (random ones are not)."""
    model.train()
    with torch.no_grad():
        for _ in range(30):
            model(z, classes, 1.0)
    model.eval()


def correct_interpolation_forward(self, x, truncation, condition_vector=None):
    """BigGANBatchNorm.forward with the statistics interpolated the right way round."""
    coef, start_idx = math.modf(truncation / self.step_size)
    start_idx = int(start_idx)
    if coef != 0.0:
        running_mean = self.running_means[start_idx] * (1 - coef) + self.running_means[start_idx + 1] * coef
        running_var = self.running_vars[start_idx] * (1 - coef) + self.running_vars[start_idx + 1] * coef
    else:
        running_mean, running_var = self.running_means[start_idx], self.running_vars[start_idx]
    if self.conditional:
        running_mean = running_mean.unsqueeze(0).unsqueeze(-1).unsqueeze(-1)
        running_var = running_var.unsqueeze(0).unsqueeze(-1).unsqueeze(-1)
        weight = 1 + self.scale(condition_vector).unsqueeze(-1).unsqueeze(-1)
        bias = self.offset(condition_vector).unsqueeze(-1).unsqueeze(-1)
        return (x - running_mean) / torch.sqrt(running_var + self.eps) * weight + bias
    return torch.nn.functional.batch_norm(x, running_mean, running_var, self.weight, self.bias,
                                          training=False, momentum=0.0, eps=self.eps)


def forward_with_layer_latents(model, latents, classes, truncation):
    """GANSpace's per-layer forward: cond_vectors[0] -> gen_z, cond_vectors[k + 1] -> k-th GenBlock."""
    embed = model.embeddings(classes)
    cond_vectors = [torch.cat((z, embed), dim=1) for z in latents]
    generator = model.generator
    x = generator.gen_z(cond_vectors[0])
    x = x.view(-1, 4, 4, 16 * generator.config.channel_width).permute(0, 3, 1, 2).contiguous()
    cond_index = 1
    for layer in generator.layers:
        if isinstance(layer, reference_model.GenBlock):
            x = layer(x, cond_vectors[cond_index], truncation)
            cond_index += 1
        else:
            x = layer(x)
    x = generator.relu(generator.bn(x, truncation))
    return torch.tanh(generator.conv_to_rgb(x)[:, :3])


def read_safetensors(path):
    """The converted file's tensors as torch float32 tensors, and its metadata (tools/safetensors_io.py)."""
    tensors, metadata = safetensors_io.read_safetensors(path, "make_biggan_goldens")
    return {name: torch.from_numpy(array) for name, array in tensors.items()}, metadata


def check_spectral_fold(model, converted):
    """Every folded weight must equal what torch's eval-mode spectral norm hands the layer."""
    checked = 0
    for name, module in model.named_modules():
        if hasattr(module, "weight_orig"):
            expected = module.weight.detach()
            if name == "generator.conv_to_rgb":
                expected = expected[:3]
            actual = converted[name + ".weight"]
            assert torch.equal(actual, expected), f"spectral-norm fold of {name} differs from torch's eval weight"
            checked += 1
    assert checked > 0
    return checked


def make_inputs(generator, config):
    z = torch.randn(BATCH, config.z_dim, generator=generator).clamp(-2, 2)
    classes = torch.zeros(BATCH, config.num_classes)
    classes[0, 3] = 1.0
    classes[1, 7] = 1.0
    classes[2] = torch.softmax(torch.randn(config.num_classes, generator=generator), dim=0)  # a soft class mix
    latent_count = len(config.layers) + 1
    layer_latents = torch.randn(latent_count, BATCH, config.z_dim, generator=generator).clamp(-2, 2)
    return z, classes, layer_latents


def run_cases(model, z, classes, layer_latents):
    outputs = {}
    with torch.no_grad():
        for truncation in (1.0, 0.4):
            assert math.modf(truncation / (1.0 / 50))[0] == 0.0, "expected a grid point"
            outputs[f"images_truncation_{truncation}"] = model(z, classes, truncation)
        outputs["images_truncation_0.415_reference_swapped"] = model(z, classes, 0.415)
        outputs["gen_z_truncation_1.0"] = model.generator.gen_z(torch.cat((z, model.embeddings(classes)), dim=1))
        original = reference_model.BigGANBatchNorm.forward
        reference_model.BigGANBatchNorm.forward = correct_interpolation_forward
        try:
            for truncation in OFF_GRID:
                assert math.modf(truncation / (1.0 / 50))[0] != 0.0, "expected a point between grid points"
                outputs[f"images_truncation_{truncation}"] = model(z, classes, truncation)
            same = forward_with_layer_latents(model, [z] * layer_latents.shape[0], classes, 0.4)
            assert torch.equal(same, outputs["images_truncation_0.4"]), "per-layer forward must match the reference"
            outputs["images_layer_latents_truncation_0.4"] = forward_with_layer_latents(
                model, list(layer_latents), classes, 0.4)
        finally:
            reference_model.BigGANBatchNorm.forward = original
    return outputs


BLOCKS_TRUNCATION = 0.4  # a grid point: one stored statistics set, no interpolation question


def block_outputs(model, z, classes):
    """gen_z's output (before the reshape) and every generator.layers module's output, as forward hooks see them."""
    outputs = {}
    handles = [model.generator.gen_z.register_forward_hook(
        lambda _module, _inputs, output: outputs.__setitem__("generator.gen_z", output.detach().clone()))]
    for index, layer in enumerate(model.generator.layers):
        name = f"generator.layers.{index}"
        handles.append(layer.register_forward_hook(
            lambda _module, _inputs, output, name=name: outputs.__setitem__(name, output.detach().clone())))
    try:
        with torch.no_grad():
            outputs["images"] = model(z, classes, BLOCKS_TRUNCATION)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def write_block_goldens(model, z, classes):
    blocks = block_outputs(model, z, classes)
    tensors = {"z": z, "class_vectors": classes}
    tensors.update(blocks)
    metadata = {"golden_command": COMMAND, "truncation": str(BLOCKS_TRUNCATION),
                "reference": "pytorch-pretrained-biggan 0.1.1 model.py, torch " + torch.__version__,
                "modules": json.dumps(sorted(blocks))}
    convert_biggan.write_safetensors(os.path.join(OUTPUT_DIR, "biggan_tiny_blocks.safetensors"),
                                     {name: value.contiguous() for name, value in tensors.items()}, metadata)
    for name, value in blocks.items():
        print(f"block golden {name}: shape {list(value.shape)} max|x| {value.abs().max():.4f}")


def safetensors_shapes(path):
    """{name: shape} from a safetensors header, without reading the data."""
    with open(path, "rb") as file:
        (header_length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(header_length))
    header.pop("__metadata__", None)
    return {name: entry["shape"] for name, entry in header.items()}


def write_128_layout():
    """BigGANConfig()'s defaults are the 128 model's config (the package's docstring; convert_tf_to_pytorch's
    BigGAN128 is the same). Random weights: only names, shapes and the count are recorded."""
    config = BigGANConfig()
    torch.manual_seed(SEED)
    model = BigGAN(config)
    parameter_count = sum(parameter.numel() for parameter in model.parameters())
    config_dict = {key: value for key, value in config.__dict__.items()}
    config_dict["layers"] = [list(layer) for layer in config_dict["layers"]]
    with tempfile.TemporaryDirectory() as model_dir:
        torch.save(model.state_dict(), os.path.join(model_dir, "pytorch_model.bin"))
        with open(os.path.join(model_dir, "config.json"), "w", encoding="utf-8") as config_file:
            json.dump(config_dict, config_file)
        converted_path = os.path.join(model_dir, "converted.safetensors")
        subprocess.run([sys.executable, os.path.join(REPO, "tools", "convert_biggan.py"), model_dir, converted_path],
                       check=True)
        shapes = safetensors_shapes(converted_path)
    layout = {
        "golden_command": COMMAND,
        "reference": "pytorch-pretrained-biggan 0.1.1 BigGAN(BigGANConfig()), torch " + torch.__version__,
        "config": config_dict,
        "reference_parameter_count": parameter_count,
        "converted_tensors": [[name, shapes[name]] for name in sorted(shapes)],
    }
    # One key, and one converted tensor, per line: a reviewable diff when the layout changes.
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in layout.items() if key != "converted_tensors"]
    tensor_lines = ",\n".join(f"  {json.dumps(entry)}" for entry in layout["converted_tensors"])
    lines.append(' "converted_tensors": [\n' + tensor_lines + "\n ]")
    with open(os.path.join(OUTPUT_DIR, "biggan_deep_128_layout.json"), "w", encoding="utf-8") as layout_file:
        layout_file.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"biggan-deep-128: {parameter_count} reference parameters, {len(shapes)} converted tensors")


def main():
    generator = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    config = BigGANConfig.from_dict(TINY_CONFIG)
    model = BigGAN(config)
    randomise(model, generator)
    z, classes, layer_latents = make_inputs(generator, config)
    converge_power_iteration(model, z, classes)
    outputs = run_cases(model, z, classes, layer_latents)  # eval forwards also set each module.weight

    os.makedirs(OUTPUT_DIR, exist_ok=True)
    weights_path = os.path.join(OUTPUT_DIR, "biggan_tiny.safetensors")
    with tempfile.TemporaryDirectory() as model_dir:
        torch.save(model.state_dict(), os.path.join(model_dir, "pytorch_model.bin"))
        with open(os.path.join(model_dir, "config.json"), "w", encoding="utf-8") as config_file:
            json.dump(TINY_CONFIG, config_file)
        subprocess.run([sys.executable, os.path.join(REPO, "tools", "convert_biggan.py"), model_dir, weights_path],
                       check=True)
    converted, metadata = read_safetensors(weights_path)
    folds = check_spectral_fold(model, converted)
    metadata["golden_command"] = COMMAND
    convert_biggan.write_safetensors(weights_path, converted, metadata)

    cases = {"z": z, "class_vectors": classes, "layer_latents": layer_latents}
    cases.update(outputs)
    case_metadata = {"golden_command": COMMAND, "batch": str(BATCH), "seed": str(SEED),
                     "reference": "pytorch-pretrained-biggan 0.1.1 model.py, torch " + torch.__version__,
                     "off_grid_note": "images_truncation_0.43 and _0.415 use the correct interpolation "
                                      "stats[i] * (1 - coef) + stats[i + 1] * coef; the reference swaps the "
                                      "weights: images_truncation_0.415_reference_swapped"}
    convert_biggan.write_safetensors(os.path.join(OUTPUT_DIR, "biggan_tiny_cases.safetensors"),
                                     {name: value.contiguous() for name, value in cases.items()}, case_metadata)
    for name, value in outputs.items():
        print(f"{name}: shape {list(value.shape)} mean {value.mean():.4f} std {value.std():.4f} "
              f"max|x| {value.abs().max():.4f}")
    print(f"spectral-norm folds checked: {folds}")
    # After every file above: neither step draws from `generator`, and the 128 model reseeds the global RNG.
    write_block_goldens(model, z, classes)
    write_128_layout()


if __name__ == "__main__":
    main()
