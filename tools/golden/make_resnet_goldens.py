#!/usr/bin/python3
# Writes the goldens for genint's ResNet (nn/models): torchvision's ResNet-18 and ResNet-50 and the CIFAR ResNet-20
# (tools/cifar_resnet.py, from torchvision's BasicBlock), num_classes 10. Run: /usr/bin/python3
# tools/golden/make_resnet_goldens.py tests/data/golden/nn [ARCH ...]  (torch 1.13, torchvision 0.14; default: all).
"""Full weights of a ResNet do not fit the test data budget (ResNet-18 alone is 45 MB), so every weight and
running statistic is *procedural*: element i of the k-th state_dict tensor (num_batches_tracked skipped) is
    u = ((splitmix64(k·2^32 + i) >> 40) + 0.5) / 2^24,  value = float32(low + (high − low)·u)   (in float64)
with (low, high) from the tensor's role (procedural_range), except the bias of each batch norm that feeds a ReLU:
place_biases sets it per channel so that no pre-activation lies near the kink, and it is stored (placed_bias.*).
The images are procedural too (k = IMAGES_INDEX, uniform in ±IMAGE_BOUND): 8 images of 128×128 would be 1.5 MB.
ResNet-18/50 see 128×128 images; ResNet-20, the CIFAR net (no max pool), 32×32 (SIZES).
tests/nn/models/procedural_weights.h computes the same floats bit for bit; a few image values are stored to prove it. Each golden holds the labels, logits (eval,
then train), the mean cross-entropy, SAMPLES elements of every parameter's gradient, of every running statistic
after the train-mode forward and, for ResNet-18 and ResNet-20, of every parameter's change in one torch.optim.SGD
step.
Sample j of an n-element tensor is element ((j + 1)·SAMPLE_STEP) mod n, j < m = min(n, SAMPLES): SAMPLE_STEP is a
prime above every n, so it shares no factor with any shape, the m indices are distinct, and the samples spread
over every kernel tap and channel (an evenly spaced step j·n/m, a multiple of in_channels·k², would see one tap).
Reference values come from a float64 run; noise.<key> records how far torch's own float32 run lands from them (max over the whole tensor); the C++ test
fails unless its bound from that noise stays within 1 % of the tensor's scale (its largest stored value).
The ResNet-18 state_dict is also saved as .pth, converted with tools/convert_torchvision.py, checked to hold exactly
the procedural (and placed) values, and the converted file's SHA-256 recorded: the C++ test rebuilds that file byte for byte."""
import copy
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
import cifar_resnet  # noqa: E402  (the PyTorch rebuild of genint's resnet20/32/56)

COMMAND = "/usr/bin/python3 tools/golden/make_resnet_goldens.py tests/data/golden/nn"
SEED = 20240611
BATCH, CLASSES = 8, 10
SIZES = {"resnet18": 128, "resnet50": 128, "resnet20": 32}  # image side per architecture; the CIFAR net sees 32×32
SAMPLES = 128
SAMPLE_STEP = 2654435761  # prime, above every tensor's element count (checked in samples())
IMAGES_INDEX, IMAGE_BOUND = 0xFFFF, 2.0  # procedural images: a tensor index no state tensor reaches
IMAGE_PROBES = 64
LABELS = [3, 7, 0, 9, 1, 4, 8, 2]
# lr 1: each step (1e-4 and up) stays far above the float32 spacing of the parameters it changes (1.2e-7 at 1.5),
# so the step itself is resolved to ~1e-3 and a wrong update cannot hide in rounding.
SGD = {"lr": 1.0, "momentum": 0.9, "weight_decay": 1e-4}


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
    return -0.25, 0.25  # batch-norm bias and running_mean (the biases before a ReLU are then placed: place_biases)


def procedural_uniform(index, shape, low, high):
    count = int(numpy.prod(shape))
    with numpy.errstate(over="ignore"):
        counters = (numpy.uint64(index) << numpy.uint64(32)) + numpy.arange(count, dtype=numpy.uint64)
        bits = splitmix64(counters) >> numpy.uint64(40)
    unit = (bits.astype(numpy.float64) + 0.5) / 16777216.0
    return torch.from_numpy((low + (high - low) * unit).astype(numpy.float32)).reshape(shape)


def procedural_values(index, name, shape, fc_in_features):
    low, high = procedural_range(name, shape, fc_in_features)
    return procedural_uniform(index, shape, low, high)


# Pre-activations are kept at least KINK_MARGIN channel standard deviations from ReLU's kink, and the two largest
# values of every max-pool window that passes a gradient at least that far apart (see place_biases).
KINK_MARGIN = 1e-4
BLOCK_QUANTILES = [(0.3, 0.7)]  # each block ReLU passes 30-70 % of its channel's values
# The stem's ReLU passes 5-20 % (fewer max-pool windows with two live values), or fewer where a near tie needs it.
STEM_QUANTILES = [(0.8, 0.95), (0.95, 0.99), (0.99, 0.9999)]


def channel_values(tensor):
    """[batch, channels, h, w] → [channels, batch·h·w]."""
    return tensor.transpose(0, 1).reshape(tensor.shape[1], -1)


def pooled_top_two(values):
    """Largest and second largest value of every 3×3/2 max-pool window (padding 1), per channel, flattened."""
    padded = torch.nn.functional.pad(values, (1, 1, 1, 1), value=-math.inf)
    windows = padded.unfold(2, 3, 2).unfold(3, 3, 2).reshape(*padded.shape[:2], -1, 9)
    top = windows.topk(2, dim=-1).values
    return channel_values(top[..., 0].unsqueeze(-1)), channel_values(top[..., 1].unsqueeze(-1))


def kink_free_shifts(values, windows, pooled):
    """Per channel, the shift that moves the widest gap between consecutive values onto ReLU's kink, so no value
    lies near it. The gap is sought in the first of `windows` (quantile ranges) that has one; with `pooled`, only
    gaps above the second largest value of every max-pool window whose two largest values are closer than
    KINK_MARGIN count (such a window keeps at most one live value). Returns (shifts, smallest margin)."""
    rows = channel_values(values)
    ordered, _ = rows.sort(dim=1)
    count = ordered.shape[1]
    spread = rows.std(dim=1, keepdim=True)
    lowest_allowed = torch.full_like(spread, -math.inf)
    if pooled:
        largest, second = pooled_top_two(values)
        close = (largest - second) < KINK_MARGIN * spread
        lowest_allowed = torch.where(close, second, lowest_allowed).max(dim=1, keepdim=True).values
    shifts = torch.full((rows.shape[0],), math.nan, dtype=rows.dtype)
    margins = torch.zeros(rows.shape[0], dtype=rows.dtype)
    for low_quantile, high_quantile in windows:
        low, high = int(low_quantile * count), min(int(high_quantile * count), count - 1)
        middles = (ordered[:, low:high] + ordered[:, low + 1:high + 1]) / 2
        gaps = ordered[:, low + 1:high + 1] - ordered[:, low:high]
        gaps = torch.where(middles > lowest_allowed, gaps, torch.zeros_like(gaps))
        widest = gaps.argmax(dim=1, keepdim=True)
        found = (gaps.gather(1, widest).squeeze(1) > 0) & torch.isnan(shifts)
        shifts = torch.where(found, -middles.gather(1, widest).squeeze(1), shifts)
        margins = torch.where(found, gaps.gather(1, widest).squeeze(1) / 2 / spread.squeeze(1), margins)
    assert not torch.isnan(shifts).any(), "a channel has no gap to put the kink in"
    return shifts, margins.min().item()


def place_biases(model, images):
    """ReLU's kink and max pool's argmax are where float32 and float64 part: a pre-activation within float32's
    rounding (~1e-6 of its scale) of zero is switched on in one run and off in the other, and the gradient of
    that element and of everything it feeds changes by O(1) (torch's own float32 ResNet-50 gradients were 2-5 %
    of scale from float64 with procedural biases, 2e-4 with GELU in place of ReLU). So, in a float64 train-mode
    forward, the bias of the batch norm feeding each ReLU is shifted per channel to centre the widest gap between
    that channel's values on the kink; that bias becomes a float32 value, stored in the golden (placed_bias.*).
    Returns {name: bias} and the smallest margin (in channel standard deviations) the gaps left."""
    adjusting = copy.deepcopy(model).double().train()
    names = {module: name for name, module in adjusting.named_modules()}
    last_norm = [None]
    placed, margins = {}, []

    def remember(module, _inputs, _output):
        last_norm[0] = module

    def shift(module, inputs):
        values = inputs[0]
        # The stem's ReLU feeds a max pool in torchvision's nets; the CIFAR net has none, so its stem is like a block.
        pooled = module is adjusting.relu and has_max_pool(adjusting)
        shifts, margin = kink_free_shifts(values, STEM_QUANTILES if pooled else BLOCK_QUANTILES, pooled)
        norm = last_norm[0]
        old = norm.bias.detach().clone()
        norm.bias.data = (old + shifts).float().double()  # a float32 value: the golden stores it as one
        placed[names[norm] + ".bias"] = norm.bias.detach().float().clone()
        margins.append(margin)
        return (values + (norm.bias.detach() - old).reshape(1, -1, 1, 1),)

    for module in adjusting.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.register_forward_hook(remember)
        if isinstance(module, torch.nn.ReLU):
            module.register_forward_pre_hook(shift)
    with torch.no_grad():
        adjusting(images.double())
    return placed, min(margins)


def measured_margins(model, images):
    """A fresh float64 train-mode forward: the smallest |pre-activation| and the smallest gap between the two
    largest live values of a max-pool window, each in its channel's standard deviations."""
    checking = copy.deepcopy(model).double().train()
    found = {"kink": math.inf, "pool": math.inf}

    def measure(module, inputs):
        values = inputs[0]
        spread = channel_values(values).std(dim=1, keepdim=True)
        found["kink"] = min(found["kink"], (channel_values(values).abs() / spread).min().item())
        if module is checking.relu and has_max_pool(checking):
            largest, second = pooled_top_two(values)
            live = second > 0
            gaps = torch.where(live, (largest - second) / spread, torch.full_like(second, math.inf))
            found["pool"] = min(found["pool"], gaps.min().item())

    for module in checking.modules():
        if isinstance(module, torch.nn.ReLU):
            module.register_forward_pre_hook(measure)
    with torch.no_grad():
        checking(images.double())
    return found


def has_max_pool(model):
    return isinstance(getattr(model, "maxpool", None), torch.nn.MaxPool2d)


def state_names(model):
    return [name for name in model.state_dict() if not name.endswith("num_batches_tracked")]


def fill_procedural(model):
    state = model.state_dict()
    fc_in = state["fc.weight"].shape[1]
    with torch.no_grad():
        for index, name in enumerate(state_names(model)):
            state[name].copy_(procedural_values(index, name, list(state[name].shape), fc_in))


def sample_indices(count):
    assert count < SAMPLE_STEP, "SAMPLE_STEP must exceed every tensor's element count"
    return [((j + 1) * SAMPLE_STEP) % count for j in range(min(count, SAMPLES))]


def samples(tensor):
    flat = tensor.detach().reshape(-1)
    return flat[sample_indices(flat.numel())].clone()


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
    if with_sgd:  # the step's change, not the parameter, so a wrong update is not hidden under the weight
        before = {name: parameter.detach().clone() for name, parameter in model.named_parameters()}
        torch.optim.SGD(model.parameters(), **SGD).step()
        for name, parameter in model.named_parameters():
            results["sgd_step." + name] = parameter.detach() - before[name]
    return {key: value.detach().clone() for key, value in results.items()}


def make(arch, output_dir):
    """Reference values come from a float64 run of the same model (exact to float32 precision); a float32 run
    gives each tensor's float32 rounding noise, max |float32 − float64|, stored as noise.<key> (the tests scale
    their bounds by it; ReLU kinks make it large unless pre-activations keep away from them: procedural_range)."""
    torch.manual_seed(SEED)
    model = cifar_resnet.build(arch, CLASSES)
    fill_procedural(model)
    metadata = {"command": COMMAND, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "seed": SEED, "architecture": arch, "num_classes": CLASSES, "samples": SAMPLES,
                "state_names": ",".join(state_names(model)), "sgd_lr": SGD["lr"], "sgd_momentum": SGD["momentum"],
                "sgd_weight_decay": SGD["weight_decay"], "reference": "float64 run; noise.* from a float32 run"}
    size = SIZES[arch]
    images = procedural_uniform(IMAGES_INDEX, [BATCH, 3, size, size], -IMAGE_BOUND, IMAGE_BOUND)
    labels = torch.tensor(LABELS, dtype=torch.int32)
    placed, _ = place_biases(model, images)
    with torch.no_grad():
        for name, bias in placed.items():
            model.state_dict()[name].copy_(bias)
    margins = measured_margins(model, images)
    assert min(margins.values()) >= KINK_MARGIN / 2, margins  # half: the float32 rounding of each placed bias
    metadata.update({"kink_margin": "%.3g" % margins["kink"],
                     "pool_margin": "%.3g" % margins["pool"] if has_max_pool(model) else "none (no max pool)"})
    with_sgd = arch in ("resnet18", "resnet20")
    if arch == "resnet18":  # tools/convert_torchvision.py knows the torchvision layouts only
        metadata["converted_sha256"], metadata["converted_bytes"] = convert_literally(model, arch, output_dir)
        metadata["converted_source"] = arch + "_procedural.pth"
    single = cifar_resnet.build(arch, CLASSES)
    single.load_state_dict(model.state_dict())
    reference = run(model, images, labels, torch.float64, with_sgd)
    float32 = run(single, images, labels, torch.float32, with_sgd)
    metadata.update({"batch": BATCH, "size": size, "sample_step": SAMPLE_STEP, "images_index": IMAGES_INDEX,
                     "image_bound": IMAGE_BOUND})
    tensors = {"image_probes": samples(images)[:IMAGE_PROBES], "labels": labels}
    tensors.update({"placed_bias." + name: bias for name, bias in placed.items()})
    worst = (0.0, "")
    for key, value in reference.items():
        sampled = not key.startswith("logits") and key != "loss"
        expected = samples(value) if sampled else value
        noise = (float32[key].double() - value).abs().max()  # over the whole tensor: a bound, not a sample
        tensors[key] = expected.to(torch.float32)
        tensors["noise." + key] = noise.reshape(1).to(torch.float32)
        scale = expected.abs().max().item()
        worst = max(worst, (noise.item() / scale if scale > 0 else math.inf, key))
    tensors = {name: value.detach().contiguous() for name, value in tensors.items()}
    path = os.path.join(output_dir, arch + "_procedural.safetensors")
    with open(path, "wb") as file:
        file.write(safetensors_bytes(tensors, metadata))
    print("%s: %d bytes, loss %.6f, |logits_eval| max %.3f, largest noise/scale %.3g (%s), margins %s" %
          (path, os.path.getsize(path), reference["loss"].item(), tensors["logits_eval"].abs().max().item(),
           worst[0], worst[1], margins))


def main():
    output_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/data/golden/nn"
    os.makedirs(output_dir, exist_ok=True)
    for arch in sys.argv[2:] or SIZES:
        make(arch, output_dir)


if __name__ == "__main__":
    main()
