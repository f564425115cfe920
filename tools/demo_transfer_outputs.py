#!/usr/bin/env python3
# The demo transfer network's outputs (tools/train_demo_transfer.py grid and reference): the exported file read back
# into net.py's modules, a content x style picture, and the fixed inputs and outputs the C++ test compares with.
"""Imported by tools/train_demo_transfer.py, whose command line runs these (`grid`, `reference`)."""
import os
import sys

import torch
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(REPO, "tools", "golden"))
from convert_adain import DECODER_LAYERS, ENCODER_LAYERS  # noqa: E402
from convert_torchvision import write_safetensors  # noqa: E402
from demo_gan_checks import load_image_folder  # noqa: E402  (ImageFolder -> [N, 3, H, W] in [-1, 1])
from make_adain_goldens import adaptive_instance_normalization, calc_mean_std  # noqa: E402  (net.py's rebuild)
from make_adain_goldens import make_decoder, make_vgg  # noqa: E402
from make_adain_goldens import read_back  # noqa: E402


def load_images01(folders):
    """Images of one or more ImageFolder trees in [0, 1] (pytorch-AdaIN feeds ToTensor() images) and labels."""
    images, labels = [], []
    for folder in folders:
        pixels, folder_labels, _ = load_image_folder(folder)
        images.append((pixels + 1.0) * 0.5)
        labels.append(folder_labels)
    return torch.cat(images).clamp(0, 1), torch.cat(labels)


def load_exported(path, dtype=torch.float32):
    """The exported file back into net.py's two nn.Sequentials (names -> indices as tools/convert_adain.py)."""
    tensors, metadata = read_back(path)
    widths = [int(w) for w in metadata["widths"].split(",")]
    vgg, decoder = make_vgg(widths)[:31], make_decoder(widths)
    with torch.no_grad():
        for layers, sequential in ((ENCODER_LAYERS, vgg), (DECODER_LAYERS, decoder)):
            for index, name, *_ in layers:
                sequential[index].weight.copy_(tensors[name + ".weight"])
                sequential[index].bias.copy_(tensors[name + ".bias"])
    return vgg.to(dtype).eval(), decoder.to(dtype).eval()


def stylize(vgg, decoder, content, style, alpha):
    """test.py's style_transfer (one style per content), clamped to [0, 1] as genint's stylize."""
    content_feature = vgg(content)
    feature = adaptive_instance_normalization(content_feature, vgg(style))
    return decoder(alpha * feature + (1 - alpha) * content_feature).clamp(0, 1)


def grid(arguments):
    """Top-left blank, first row the styles, first column the contents, cell (i, j) content i in style j."""
    from PIL import Image
    torch.set_num_threads(arguments.threads)
    vgg, decoder = load_exported(arguments.weights)
    content, content_labels = load_images01([arguments.val])
    styles, style_labels = load_images01(arguments.styles)
    content_picks = [int((content_labels == c).nonzero()[arguments.pick]) for c in arguments.content_classes]
    style_picks = [int((style_labels == c).nonzero()[arguments.pick]) for c in arguments.style_classes]
    cell, gap, scale = 32 * arguments.scale, arguments.scale, arguments.scale
    rows, columns = len(content_picks) + 1, len(style_picks) + 1
    canvas = torch.ones(3, rows * (cell + gap), columns * (cell + gap))

    def place(image, row, column):
        upscaled = F.interpolate(image.unsqueeze(0), scale_factor=scale, mode="nearest")[0]
        top, left = row * (cell + gap) + (gap if row else 0), column * (cell + gap) + (gap if column else 0)
        canvas[:, top:top + cell, left:left + cell] = upscaled

    with torch.no_grad():
        for j, s in enumerate(style_picks):
            place(styles[s], 0, j + 1)
        for i, c in enumerate(content_picks):
            place(content[c], i + 1, 0)
            outputs = stylize(vgg, decoder, content[c:c + 1].expand(len(style_picks), -1, -1, -1),
                              styles[style_picks], 1.0)
            for j in range(len(style_picks)):
                place(outputs[j], i + 1, j + 1)
    pixels = (canvas.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    Image.fromarray(pixels).save(arguments.out, optimize=True)
    print(f"wrote {arguments.out}: contents {content_picks} (classes {arguments.content_classes}), styles "
          f"{style_picks} (classes {arguments.style_classes})", file=sys.stderr)


def reference(arguments):
    """Three natural val images with three generated styles (one each) and a fourth content of odd size (uniform
    noise, 27x21: the ceil_mode pools' partial windows) sharing the first style: relu4_1, style statistics, AdaIN
    features and decoded images at alpha 1 and 0.5, from a float64 run; noise.<name> = torch's float32 error."""
    torch.set_num_threads(arguments.threads)
    content, _ = load_images01([arguments.val])
    styles, _ = load_images01(arguments.styles)
    inputs = dict(content=content[[0, 170, 340]].contiguous(), style=styles[[0, 105, 311]].contiguous(),
                  odd_content=torch.rand((1, 3, 27, 21), generator=torch.Generator().manual_seed(11)))
    results = {}
    for dtype in (torch.float64, torch.float32):
        vgg, decoder = load_exported(arguments.weights, dtype)
        x = {k: v.to(dtype) for k, v in inputs.items()}
        out = {}
        with torch.no_grad():
            out["relu4_1"] = vgg(x["content"])
            style_mean, style_sigma = calc_mean_std(vgg(x["style"]))
            out["style_mean"], out["style_sigma"] = style_mean.flatten(1), style_sigma.flatten(1)
            for key, alpha in (("alpha1", 1.0), ("alpha05", 0.5)):
                features = adaptive_instance_normalization(out["relu4_1"], vgg(x["style"]))
                out["adain_" + key] = alpha * features + (1 - alpha) * out["relu4_1"]
                out["decoded_" + key] = stylize(vgg, decoder, x["content"], x["style"], alpha)
            out["odd_decoded_alpha1"] = stylize(vgg, decoder, x["odd_content"], x["style"][:1], 1.0)
        results[dtype] = out
    tensors = dict(inputs)
    metadata = {"command": "tools/train_demo_transfer.py reference",
                "weights": os.path.relpath(arguments.weights, REPO),
                "torch": torch.__version__, "content": "natural val images 0, 170, 340 in [0, 1]",
                "style": "generated images 0, 105, 311 of --styles", "odd_content": "torch.rand seed 11"}
    for name, value in results[torch.float64].items():
        tensors[name] = value.float().contiguous()
        noise = (results[torch.float32][name].double() - value).abs().max().item()
        metadata["noise." + name] = "%.9g" % noise
        print(f"{name:20s} {list(value.shape)} max {value.abs().max():.4g} torch float32 noise {noise:.3g}",
              file=sys.stderr)
    write_safetensors(arguments.out, tensors, metadata)
    print(f"wrote {arguments.out} ({os.path.getsize(arguments.out)} bytes)", file=sys.stderr)
