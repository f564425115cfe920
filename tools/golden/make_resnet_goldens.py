#!/usr/bin/python3
# Writes the torchvision goldens for genint's ResNet (nn/models): ResNet-18 and ResNet-50, num_classes 10.
# Run: /usr/bin/python3 tools/golden/make_resnet_goldens.py tests/data/golden/nn  (torch 1.13, torchvision 0.14).
"""Full weights of a ResNet do not fit the test data budget (ResNet-18 alone is 45 MB), so every weight and
running statistic is *procedural*: element i of the k-th state_dict tensor (num_batches_tracked skipped) is
    u = ((splitmix64(k·2^32 + i) >> 40) + 0.5) / 2^24,  value = float32(low + (high − low)·u)   (in float64)
with (low, high) from the tensor's role (procedural_range). tests/nn/models/procedural_weights.h computes the same
floats bit for bit. Each golden holds the images, labels, logits (eval, then train), the mean cross-entropy, 128
evenly spaced elements of every parameter's gradient (index j·n//m, m = min(n, 128)), every running statistic after
the train-mode forward and, for ResNet-18, the same samples of every parameter after one torch.optim.SGD step.
Reference values come from a float64 run; noise.<key> records how far torch's own float32 run lands from them.
The ResNet-18 state_dict is also saved as .pth, converted with tools/convert_torchvision.py, checked to hold exactly
the procedural values, and the converted file's SHA-256 recorded: the C++ test rebuilds that file byte for byte."""
import hashlib
import math
import os
import subprocess
import sys
import tempfile

import numpy
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from convert_torchvision import safetensors_bytes  # noqa: E402  (the same writer the converter uses)

COMMAND = "/usr/bin/python3 tools/golden/make_resnet_goldens.py tests/data/golden/nn"
SEED = 20240611
BATCH, SIZE, CLASSES = 2, 64, 10
SAMPLES = 128
LABELS = [3, 7]
SGD = {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4}


def splitmix64(counters):
    z = counters + numpy.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> numpy.uint64(30))) * numpy.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> numpy.uint64(27))) * numpy.uint64(0x94D049BB133111EB)
    return z ^ (z >> numpy.uint64(31))


def procedural_range(name, shape, fc_in_features):
    if len(shape) == 4:  # conv: kaiming-uniform over fan_out, the spread torchvision's kaiming_normal_ gives
        bound = math.sqrt(6.0 / (shape[0] * shape[2] * shape[3]))
        return -bound, bound
    if name.startswith("fc."):
        bound = 1.0 / math.sqrt(fc_in_features)
        return -bound, bound
    if name.endswith(".running_var") or name.endswith(".weight"):
        return 0.5, 1.5
    return -0.25, 0.25  # batch-norm bias and running_mean


def procedural_values(index, name, shape, fc_in_features):
    count = int(numpy.prod(shape))
    with numpy.errstate(over="ignore"):
        counters = (numpy.uint64(index) << numpy.uint64(32)) + numpy.arange(count, dtype=numpy.uint64)
        bits = splitmix64(counters) >> numpy.uint64(40)
    unit = (bits.astype(numpy.float64) + 0.5) / 16777216.0
    low, high = procedural_range(name, shape, fc_in_features)
    return torch.from_numpy((low + (high - low) * unit).astype(numpy.float32)).reshape(shape)


def state_names(model):
    return [name for name in model.state_dict() if not name.endswith("num_batches_tracked")]


def fill_procedural(model):
    state = model.state_dict()
    fc_in = state["fc.weight"].shape[1]
    with torch.no_grad():
        for index, name in enumerate(state_names(model)):
            state[name].copy_(procedural_values(index, name, list(state[name].shape), fc_in))


def samples(tensor):
    flat = tensor.detach().reshape(-1)
    count = min(flat.numel(), SAMPLES)
    return flat[[j * flat.numel() // count for j in range(count)]].clone()


def convert_literally(model, arch, output_dir):
    """state_dict → .pth → tools/convert_torchvision.py → safetensors; returns the converted file's SHA-256."""
    tools = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with tempfile.TemporaryDirectory() as directory:
        pth = os.path.join(directory, arch + "_procedural.pth")
        converted = os.path.join(directory, arch + "_procedural.safetensors")
        torch.save(model.state_dict(), pth)
        subprocess.run([sys.executable, os.path.join(tools, "convert_torchvision.py"), pth, converted, "--arch", arch],
                       check=True, stdout=subprocess.DEVNULL)
        with open(converted, "rb") as file:
            data = file.read()
    expected = {name: value.clone() for name, value in model.state_dict().items()}
    metadata = {"architecture": arch, "num_classes": CLASSES, "source": arch + "_procedural.pth"}
    assert data == safetensors_bytes(expected, metadata), "converted file differs from the procedural state_dict"
    return hashlib.sha256(data).hexdigest(), len(data)


def run(model, images, labels, dtype, with_sgd):
    """Eval logits, then a train-mode forward, mean cross-entropy, backward (and one SGD step) in `dtype`."""
    model = model.to(dtype)
    images = images.to(dtype)
    results = {}
    model.eval()
    with torch.no_grad():
        results["logits_eval"] = model(images)
    model.train()
    logits = model(images)
    loss = torch.nn.functional.cross_entropy(logits, labels.long())
    loss.backward()
    results["logits_train"] = logits
    results["loss"] = loss.reshape(1)
    for name, parameter in model.named_parameters():
        results["grad." + name] = parameter.grad
    for name, buffer in model.named_buffers():
        if not name.endswith("num_batches_tracked"):
            results["after_train." + name] = buffer
    if with_sgd:
        torch.optim.SGD(model.parameters(), **SGD).step()
        for name, parameter in model.named_parameters():
            results["after_sgd." + name] = parameter
    return {key: value.detach().clone() for key, value in results.items()}


def make(arch, output_dir):
    """Reference values come from a float64 run of the same model (exact to float32 precision); a float32 run
    gives each tensor's float32 rounding noise, max |float32 − float64|, stored as noise.<key> (a deep network's
    train-mode batch norm on few values per channel can make this large: the tests scale their bounds by it)."""
    torch.manual_seed(SEED)
    model = torchvision.models.__dict__[arch](num_classes=CLASSES)
    fill_procedural(model)
    metadata = {"command": COMMAND, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "seed": SEED, "architecture": arch, "num_classes": CLASSES, "samples": SAMPLES,
                "state_names": ",".join(state_names(model)), "sgd_lr": SGD["lr"], "sgd_momentum": SGD["momentum"],
                "sgd_weight_decay": SGD["weight_decay"], "reference": "float64 run; noise.* from a float32 run"}
    with_sgd = arch == "resnet18"
    if with_sgd:
        metadata["converted_sha256"], metadata["converted_bytes"] = convert_literally(model, arch, output_dir)
        metadata["converted_source"] = arch + "_procedural.pth"
    images = torch.randn(BATCH, 3, SIZE, SIZE)
    labels = torch.tensor(LABELS, dtype=torch.int32)
    single = torchvision.models.__dict__[arch](num_classes=CLASSES)
    single.load_state_dict(model.state_dict())
    reference = run(model, images, labels, torch.float64, with_sgd)
    float32 = run(single, images, labels, torch.float32, with_sgd)
    tensors = {"images": images, "labels": labels}
    for key, value in reference.items():
        sampled = key.startswith("grad.") or key.startswith("after_sgd.")
        tensors[key] = (samples(value) if sampled else value).to(torch.float32)
        tensors["noise." + key] = (float32[key].double() - value).abs().max().reshape(1).to(torch.float32)
    tensors = {name: value.detach().contiguous() for name, value in tensors.items()}
    path = os.path.join(output_dir, arch + "_procedural.safetensors")
    with open(path, "wb") as file:
        file.write(safetensors_bytes(tensors, metadata))
    print("%s: %d bytes, loss %.6f, |logits_eval| max %.3f" %
          (path, os.path.getsize(path), reference["loss"].item(), tensors["logits_eval"].abs().max().item()))


def main():
    output_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/data/golden/nn"
    os.makedirs(output_dir, exist_ok=True)
    for arch in ("resnet18", "resnet50"):
        make(arch, output_dir)


if __name__ == "__main__":
    main()
