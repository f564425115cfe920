#!/usr/bin/python3
# Writes the PyTorch goldens of genint's AdaIN network (nn/models/adain_network): a rebuild of pytorch-AdaIN's net.py
# with seeded narrow weights, saved as its two .pth files, converted by tools/convert_adain.py, and its outputs.
"""Run: /usr/bin/python3 tools/golden/make_adain_goldens.py tests/data/golden/nn   (torch 1.13; writes three files)

The architecture is net.py's (vgg and decoder nn.Sequential, same layer indices) with widths WIDTHS instead of
(64, 128, 256, 512): the full network's weights (~28 MB) do not fit the test data budget, and the C++ network reads
its widths from the file, so the same code runs either. The VGG keeps three layers past relu4_1, as the real
vgg_normalised.pth has more, so the converter's truncation is exercised. Weights: He-normal convs (std
sqrt(2/fan_in)), biases uniform ±0.05, the decoder's last conv at OUTPUT_GAIN times that std with bias 0.5 so the decoded image
spreads around 0.5 and the [0, 1] clamp bites on some pixels.

adain_narrow_weights.safetensors: the converter's output (its metadata names the .pth files).
adain_narrow.safetensors: content [2, 3, 33, 30] (odd: the ceil_mode pools keep a partial window), style
[1, 3, 24, 28], uniform in [0, 1); the content's relu1_1..relu4_1; the style's relu4_1 mean and sigma (unbiased
variance + 1e-5, inside the root); the AdaIN features and the decoded, clamped image at alpha 1 and 0.6 (the style's
one row shared by both contents, as net.py's expand). References are a float64 run; noise.<tensor> in the metadata is
how far torch's own float32 run lands from them (max over the tensor), which the C++ test scales its bound by.
adain_full_width.safetensors: the real widths (64, 128, 256, 512) with procedural weights (procedural_layers; the
C++ test builds the same ~28 MB file bit for bit instead of it being committed) on a [1, 3, 17, 13] content and a
[1, 3, 12, 12] style: relu4_1, the style statistics, the AdaIN features and decoded image at alpha 0.6."""
import os
import sys
import tempfile

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from convert_adain import DECODER_LAYERS, ENCODER_LAYERS, convert  # noqa: E402
from convert_torchvision import safetensors_bytes  # noqa: E402
from make_resnet_goldens import procedural_uniform  # noqa: E402  (splitmix64 values tests/nn/models reproduce)
from safetensors_io import read_safetensors  # noqa: E402

COMMAND = "/usr/bin/python3 tools/golden/make_adain_goldens.py tests/data/golden/nn"
SEED = 20261203
WIDTHS = (8, 12, 16, 24)
OUTPUT_GAIN = 0.12  # the decoder's last conv: He std times this, so the image is not all clamped
FULL_WIDTHS = (64, 128, 256, 512)
FULL_OUTPUT_GAIN = 0.12  # as OUTPUT_GAIN, for the full-width decoder's last conv
CONTENT_INDEX, STYLE_INDEX = 0xFFFF, 0xFFFE  # procedural images: tensor indices no layer reaches
ALPHAS = {"alpha1": 1.0, "alpha06": 0.6}


def pad():
    return nn.ReflectionPad2d((1, 1, 1, 1))


def pool():
    return nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True)


def make_vgg(widths):
    """net.py's vgg to relu4_1 (index 30) plus pad, conv4_2, relu (31-33)."""
    w1, w2, w3, w4 = widths
    layers = [nn.Conv2d(3, 3, (1, 1)), pad(), nn.Conv2d(3, w1, (3, 3)), nn.ReLU(),  # 0-3: relu1_1
              pad(), nn.Conv2d(w1, w1, (3, 3)), nn.ReLU(), pool(),  # 4-7
              pad(), nn.Conv2d(w1, w2, (3, 3)), nn.ReLU(),  # 8-10: relu2_1
              pad(), nn.Conv2d(w2, w2, (3, 3)), nn.ReLU(), pool(),  # 11-14
              pad(), nn.Conv2d(w2, w3, (3, 3)), nn.ReLU()]  # 15-17: relu3_1
    for _ in range(3):  # 18-26: conv3_2..conv3_4
        layers += [pad(), nn.Conv2d(w3, w3, (3, 3)), nn.ReLU()]
    layers += [pool(), pad(), nn.Conv2d(w3, w4, (3, 3)), nn.ReLU(),  # 27-30: relu4_1
               pad(), nn.Conv2d(w4, w4, (3, 3)), nn.ReLU()]  # 31-33: past relu4_1, dropped by the converter
    return nn.Sequential(*layers)


def make_decoder(widths):
    w1, w2, w3, w4 = widths
    up = lambda: nn.Upsample(scale_factor=2, mode="nearest")  # noqa: E731
    layers = [pad(), nn.Conv2d(w4, w3, (3, 3)), nn.ReLU(), up()]  # 0-3
    for _ in range(3):  # 4-12
        layers += [pad(), nn.Conv2d(w3, w3, (3, 3)), nn.ReLU()]
    layers += [pad(), nn.Conv2d(w3, w2, (3, 3)), nn.ReLU(), up(),  # 13-16
               pad(), nn.Conv2d(w2, w2, (3, 3)), nn.ReLU(),  # 17-19
               pad(), nn.Conv2d(w2, w1, (3, 3)), nn.ReLU(), up(),  # 20-23
               pad(), nn.Conv2d(w1, w1, (3, 3)), nn.ReLU(),  # 24-26
               pad(), nn.Conv2d(w1, 3, (3, 3))]  # 27-28
    return nn.Sequential(*layers)


def initialise(sequential, generator, last_is_output):
    convs = [module for module in sequential if isinstance(module, nn.Conv2d)]
    for position, conv in enumerate(convs):
        fan_in = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
        std = (2.0 / fan_in) ** 0.5
        output = last_is_output and position == len(convs) - 1
        with torch.no_grad():
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * (std * OUTPUT_GAIN if output else std))
            conv.bias.copy_((torch.rand(conv.bias.shape, generator=generator) * 2 - 1) * 0.05)
            if output:
                conv.bias.add_(0.5)


def calc_mean_std(feat, eps=1e-5):
    """pytorch-AdaIN's function.py: unbiased variance (torch .var() default) plus eps, then the root."""
    n, c = feat.size()[:2]
    feat_std = (feat.view(n, c, -1).var(dim=2) + eps).sqrt().view(n, c, 1, 1)
    feat_mean = feat.view(n, c, -1).mean(dim=2).view(n, c, 1, 1)
    return feat_mean, feat_std


def adaptive_instance_normalization(content_feat, style_feat):
    size = content_feat.size()
    style_mean, style_std = calc_mean_std(style_feat)
    content_mean, content_std = calc_mean_std(content_feat)
    normalized_feat = (content_feat - content_mean.expand(size)) / content_std.expand(size)
    return normalized_feat * style_std.expand(size) + style_mean.expand(size)


def run(vgg, decoder, content, style):
    """Every golden tensor, in the dtype of the inputs (net.py's enc_1..enc_4 slices, test.py's style_transfer)."""
    out = {}
    x = content
    for name, (begin, end) in {"relu1_1": (0, 4), "relu2_1": (4, 11), "relu3_1": (11, 18), "relu4_1": (18, 31)}.items():
        x = vgg[begin:end](x)
        out[name] = x
    style_f = vgg[:31](style)
    out["style_mean"], out["style_sigma"] = [t.view(t.shape[0], t.shape[1]) for t in calc_mean_std(style_f)]
    for key, alpha in ALPHAS.items():
        feat = adaptive_instance_normalization(out["relu4_1"], style_f)
        feat = feat * alpha + out["relu4_1"] * (1 - alpha)
        out["adain_" + key] = feat
        out["decoded_" + key] = decoder(feat).clamp(0, 1)
    return out


def read_back(path):
    """A converted file's tensors as torch tensors, and its metadata (tools/safetensors_io.py)."""
    tensors, metadata = read_safetensors(path, "make_adain_goldens")
    return {name: torch.from_numpy(array) for name, array in tensors.items()}, metadata


def procedural_layers(vgg, decoder):
    """Full-width weights from splitmix64 (make_resnet_goldens.procedural_uniform): tensor k = 2·position (weight)
    or 2·position + 1 (bias), positions in ENCODER_LAYERS then DECODER_LAYERS order; weights uniform ±sqrt(6/fan_in)
    (He-uniform: std sqrt(2/fan_in)), biases ±0.05; the decoder's last conv at FULL_OUTPUT_GAIN, bias 0.5 ± 0.05."""
    layers = [(vgg[index], False) for index, *_ in ENCODER_LAYERS]
    layers += [(decoder[index], index == DECODER_LAYERS[-1][0]) for index, *_ in DECODER_LAYERS]
    for position, (conv, output) in enumerate(layers):
        bound = (6.0 / (conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1])) ** 0.5
        bound *= FULL_OUTPUT_GAIN if output else 1.0
        centre = 0.5 if output else 0.0
        with torch.no_grad():
            conv.weight.copy_(procedural_uniform(2 * position, tuple(conv.weight.shape), -bound, bound))
            conv.bias.copy_(procedural_uniform(2 * position + 1, tuple(conv.bias.shape), centre - 0.05, centre + 0.05))


def full_width_golden(output_dir):
    """net.py at its real widths on a tiny input: relu4_1, style statistics, AdaIN features and decoded image."""
    vgg, decoder = make_vgg(FULL_WIDTHS), make_decoder(FULL_WIDTHS)
    procedural_layers(vgg, decoder)
    with tempfile.TemporaryDirectory() as directory:  # the converter keeps the procedural values, name for name
        torch.save(vgg.state_dict(), os.path.join(directory, "vgg.pth"))
        torch.save(decoder.state_dict(), os.path.join(directory, "decoder.pth"))
        converted_path = os.path.join(directory, "full.safetensors")
        convert(os.path.join(directory, "vgg.pth"), os.path.join(directory, "decoder.pth"), converted_path)
        converted, metadata = read_back(converted_path)
    assert metadata["widths"] == "64,128,256,512", metadata
    for position, (index, name, *_) in enumerate(ENCODER_LAYERS + DECODER_LAYERS):
        module = vgg[index] if position < len(ENCODER_LAYERS) else decoder[index]
        assert torch.equal(converted[name + ".weight"], module.weight.detach()), name
    content = procedural_uniform(CONTENT_INDEX, (1, 3, 17, 13), 0.0, 1.0)
    style = procedural_uniform(STYLE_INDEX, (1, 3, 12, 12), 0.0, 1.0)
    with torch.no_grad():
        reference = run(vgg.double(), decoder.double(), content.double(), style.double())
        single = run(vgg.float(), decoder.float(), content, style)
    tensors = {}
    golden_metadata = {"command": COMMAND, "torch": torch.__version__, "widths": "64,128,256,512",
                       "content": "procedural %d [1, 3, 17, 13] in [0, 1)" % CONTENT_INDEX,
                       "style": "procedural %d [1, 3, 12, 12] in [0, 1)" % STYLE_INDEX}
    for name in ("relu4_1", "style_mean", "style_sigma", "adain_alpha06", "decoded_alpha06"):
        tensors[name] = reference[name].float()
        golden_metadata["noise." + name] = "%.9g" % (single[name].double() - reference[name]).abs().max().item()
        describe(name, reference[name], golden_metadata)
    path = os.path.join(output_dir, "adain_full_width.safetensors")
    with open(path, "wb") as file:
        file.write(safetensors_bytes(tensors, golden_metadata))
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def describe(name, value, metadata):
    clamped = ((value == 0) | (value == 1)).double().mean().item()
    print("%-16s %-18s max %.4g  torch float32 noise %s%s" % (
        name, list(value.shape), value.abs().max().item(), metadata["noise." + name],
        "  clamped %.1f %% (min %.3g)" % (100 * clamped, value.min().item()) if name.startswith("decoded") else ""))


def main():
    output_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "data", "golden", "nn")
    generator = torch.Generator().manual_seed(SEED)
    vgg, decoder = make_vgg(WIDTHS), make_decoder(WIDTHS)
    initialise(vgg, generator, False)
    initialise(decoder, generator, True)
    content = torch.rand((2, 3, 33, 30), generator=generator)
    style = torch.rand((1, 3, 24, 28), generator=generator)

    weights_path = os.path.join(output_dir, "adain_narrow_weights.safetensors")
    with tempfile.TemporaryDirectory() as directory:
        vgg_path = os.path.join(directory, "vgg_normalised.pth")
        decoder_path = os.path.join(directory, "decoder.pth")
        torch.save(vgg.state_dict(), vgg_path)
        torch.save(decoder.state_dict(), decoder_path)
        convert(vgg_path, decoder_path, weights_path, source="make_adain_goldens.py seed %d widths %s"
                % (SEED, ",".join(map(str, WIDTHS))))
        # A decoder built for other widths must be refused, naming the layer.
        torch.save(make_decoder((8, 12, 16, 32)).state_dict(), decoder_path)
        try:
            convert(vgg_path, decoder_path, os.path.join(directory, "refused.safetensors"))
            raise SystemExit("make_adain_goldens: the converter accepted a decoder of other widths")
        except SystemExit as refusal:
            assert "layer 1.weight (decoder.conv4_1)" in str(refusal), refusal
    converted, metadata = read_back(weights_path)
    assert metadata["widths"] == "8,12,16,24", metadata
    convs = {index: module for index, module in enumerate(vgg) if isinstance(module, nn.Conv2d) and index < 30}
    assert len(converted) == 2 * (len(convs) + 9)
    for index, conv in convs.items():
        name = [n for i, n, *_ in ENCODER_LAYERS if i == index][0]
        assert torch.equal(converted[name + ".weight"], conv.weight.detach()), name
        assert torch.equal(converted[name + ".bias"], conv.bias.detach()), name
    for index, name, *_ in DECODER_LAYERS:
        assert torch.equal(converted[name + ".weight"], decoder[index].weight.detach()), name

    with torch.no_grad():
        reference = run(vgg.double(), decoder.double(), content.double(), style.double())
        single = run(vgg.float(), decoder.float(), content, style)
    tensors = {"content": content, "style": style}
    golden_metadata = {"command": COMMAND, "torch": torch.__version__, "seed": SEED,
                       "widths": ",".join(map(str, WIDTHS)), "alphas": "alpha1=1.0,alpha06=0.6"}
    for name, value in reference.items():
        tensors[name] = value.float()
        golden_metadata["noise." + name] = "%.9g" % (single[name].double() - value).abs().max().item()
        describe(name, value, golden_metadata)
    golden_path = os.path.join(output_dir, "adain_narrow.safetensors")
    with open(golden_path, "wb") as file:
        file.write(safetensors_bytes(tensors, golden_metadata))
    for path in (weights_path, golden_path):
        print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    full_width_golden(output_dir)


if __name__ == "__main__":
    sys.exit(main())
