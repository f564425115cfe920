#!/usr/bin/env python3
# Trains genint's embedded demo AdaIN transfer network (gan/demo/transfer-network.safetensors): pytorch-AdaIN's
# net.py at demo widths, its encoder trained as a classifier on fashion-scenes, its decoder with train.py's loss.
"""Usage (from the repository root; torch 1.13 from Debian, CPU; data and styles as in gan/demo/README.md):

  /usr/bin/python3 tools/train_demo_transfer.py encoder --data SCENES/train --val SCENES/val --work WORK \
      --epochs 15 --reconstruction-weight 20
  /usr/bin/python3 tools/train_demo_transfer.py decoder --data SCENES/train --styles DIR [--styles DIR2] \
      --work WORK --style-weight 3 --iterations 1500 --lr 1e-3
  /usr/bin/python3 tools/train_demo_transfer.py choose --val SCENES/val --styles DIR [--styles DIR2] --work WORK
  /usr/bin/python3 tools/train_demo_transfer.py export --work WORK --style-weight 3 --out gan/demo
  /usr/bin/python3 tools/train_demo_transfer.py grid --weights FILE --val SCENES/val --styles DIR ... --out PNG
  /usr/bin/python3 tools/train_demo_transfer.py reference --weights FILE --val SCENES/val --styles DIR ... --out F

encoder   net.py's vgg to relu4_1 at --widths, plus global average pooling and a linear head, trained as a
          classifier on the natural training images (what VGG is: an ImageNet classifier); conv0 is fixed to the
          training set's per-channel standardisation (the role of vgg_normalised's conv0, which holds ImageNet's
          mean). --reconstruction-weight R > 0 adds net.py's decoder reconstructing the image from relu4_1 (pixel
          MSE, weight R) so relu4_1 keeps the image's layout (gan/demo/README.md says why). Then "normalised"
          as Gatys et al.'s VGG: every conv's filters rescaled so each channel's mean activation over the
          training images is 1, compensated in the next layer (and the head), so the classifier's outputs are
          unchanged and the four levels' style losses are on one scale.
          Writes WORK/encoder.pt and WORK/encoder.json (accuracies, times).
decoder   train.py's loss with the encoder frozen: content = natural training images, style = generated images;
          loss = content_weight * ||f(g(t)) - t|| + style_weight * sum over relu1_1..relu4_1 of
          ||mu(f(g(t))) - mu(f(s))|| + ||sigma(...) - sigma(...)|| (all MSE), t = AdaIN(f(c), f(s)), alpha 1.
          Starts from the encoder's reconstruction decoder if it has one (else He init; --no-inverse-start).
          Writes WORK/decoder-sw<weight>.pt and WORK/decoder-sw<weight>.jsonl (losses).
choose    every WORK/decoder-sw*.pt on validation pairs (natural val image i with style image
          perm[i mod styles]), prints and writes WORK/choice.json with CRITERION's pick.
export    encoder + the chosen decoder through tools/convert_adain.py (same keys, layout and writer), fp32.
grid      content rows (natural val) x style columns (generated) -> AdaIN outputs, nearest-upscaled PNG.
reference fixed inputs and PyTorch's outputs of the exported file for tests/nn/models/adain_demo_network_test.cpp.
"""
import argparse
import glob
import json
import os
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(REPO, "tools", "golden"))
from convert_adain import convert  # noqa: E402
from make_adain_goldens import adaptive_instance_normalization, calc_mean_std  # noqa: E402  (net.py's rebuild)
from make_adain_goldens import make_decoder, make_vgg  # noqa: E402
from demo_transfer_outputs import grid, load_images01, reference  # noqa: E402  (images; picture; C++ reference)

DEFAULT_WIDTHS = (16, 32, 64, 128)
LEVELS = {"relu1_1": (0, 4), "relu2_1": (4, 11), "relu3_1": (11, 18), "relu4_1": (18, 31)}  # net.py's enc_1..4
RARE_CHANNEL_FRACTION = 0.01  # see normalise_activations
RELU_AFTER_CONV = {2: 3, 5: 6, 9: 10, 12: 13, 16: 17, 19: 20, 22: 23, 25: 26, 29: 30}  # conv index -> its ReLU
# The style-weight rule, fixed before the sweep ran. S0: the validation style loss of the untransferred pairs (the
# content image's own statistics against the style's); C_min: the lowest validation content loss of the sweep.
# Pick the smallest weight whose style loss is at most STYLE_FRACTION * S0 (three quarters of the style gap closed)
# among those whose content loss is at most CONTENT_FACTOR * C_min; if none closes that much, the largest weight
# within the content bound.
STYLE_FRACTION, CONTENT_FACTOR = 0.25, 2.0
CRITERION = ("smallest style weight with validation style loss <= %.2f x the untransferred style loss, among "
             "weights whose validation content loss is <= %.1f x the sweep's lowest; else the largest weight within "
             "that content bound" % (STYLE_FRACTION, CONTENT_FACTOR))


def encode_levels(vgg, images):
    """relu1_1..relu4_1, as net.py's encode_with_intermediate."""
    features, x = [], images
    for begin, end in LEVELS.values():
        x = vgg[begin:end](x)
        features.append(x)
    return features


def augment(images, generator):
    """Random horizontal flip and translation by up to 4 pixels (reflection fill): the object moves, colours not."""
    batch = images.shape[0]
    flip = torch.rand(batch, generator=generator) < 0.5
    images = torch.where(flip.view(-1, 1, 1, 1), images.flip(3), images)
    padded = F.pad(images, [4, 4, 4, 4], mode="reflect")
    offsets = torch.randint(0, 9, (batch, 2), generator=generator)
    size = images.shape[2]
    return torch.stack([padded[i, :, offsets[i, 0]:offsets[i, 0] + size, offsets[i, 1]:offsets[i, 1] + size]
                        for i in range(batch)])


# ---- encoder: a classifier, then normalised ------------------------------------------------------------------

class EncoderClassifier(nn.Module):
    """vgg to relu4_1 + global average pooling + linear head; with_inverse adds net.py's decoder reconstructing the
    image from relu4_1 (the auxiliary task of --reconstruction-weight)."""

    def __init__(self, widths, num_classes, with_inverse=False):
        super().__init__()
        self.vgg = make_vgg(widths)[:31]  # to relu4_1; keys keep net.py's indices
        self.head = nn.Linear(widths[3], num_classes)
        for module in self.vgg:
            if isinstance(module, nn.Conv2d):  # torchvision VGG's init: He normal (fan_out), zero bias
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(module.bias)
        self.inverse = None
        if with_inverse:
            self.inverse = make_decoder(widths)
            he_initialise(self.inverse)

    def forward(self, images):
        features = self.vgg(images)
        logits = self.head(features.mean(dim=(2, 3)))
        return logits if self.inverse is None or not self.training else (logits, self.inverse(features))


def fix_input_standardisation(conv0, images):
    """conv0 (1x1, 3->3) := (x - mean_c) / std_c over the training pixels, frozen."""
    mean = images.mean(dim=(0, 2, 3))
    std = images.std(dim=(0, 2, 3))
    with torch.no_grad():
        conv0.weight.copy_(torch.diag(1.0 / std).view(3, 3, 1, 1))
        conv0.bias.copy_(-mean / std)
    conv0.weight.requires_grad_(False)
    conv0.bias.requires_grad_(False)
    return mean, std


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(images[s:s + 500]).argmax(1) for s in range(0, images.shape[0], 500)])
    return float((predicted == labels).float().mean())


def normalise_activations(model, images):
    """Gatys et al.'s normalisation: each ReLU channel's mean activation over the images becomes 1 by scaling its
    conv's filter and bias by 1/m; the next conv's (or the head's) input weights take m, so logits are unchanged.
    Channels that (almost) never fire, m below RARE_CHANNEL_FRACTION of the layer's median, are left as they are:
    dividing by such an m (a first try had m ~ 1e-4) makes the rare images that do fire them dominate the style
    loss by orders of magnitude."""
    vgg = model.vgg
    conv_indices = sorted(RELU_AFTER_CONV)
    scales = {}
    with torch.no_grad():
        for position, index in enumerate(conv_indices):
            activations = torch.cat([vgg[:RELU_AFTER_CONV[index] + 1](images[s:s + 500])
                                     for s in range(0, images.shape[0], 500)])
            mean = activations.mean(dim=(0, 2, 3))
            scale = torch.where(mean > RARE_CHANNEL_FRACTION * mean.median(), mean, torch.ones_like(mean))
            vgg[index].weight.div_(scale.view(-1, 1, 1, 1))
            vgg[index].bias.div_(scale)
            following = vgg[conv_indices[position + 1]] if position + 1 < len(conv_indices) else None
            if following is not None:
                following.weight.mul_(scale.view(1, -1, 1, 1))
            else:
                model.head.weight.mul_(scale.view(1, -1))
                if model.inverse is not None:  # its first conv reads relu4_1
                    model.inverse[1].weight.mul_(scale.view(1, -1, 1, 1))
            scales[index] = [round(float(mean.min()), 4), round(float(mean.max()), 4), int((scale == 1).sum())]
    return scales


def train_encoder(arguments):
    torch.set_num_threads(arguments.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(arguments.seed)
    os.makedirs(arguments.work, exist_ok=True)
    images, labels = load_images01([arguments.data])
    val_images, val_labels = load_images01([arguments.val])
    model = EncoderClassifier(arguments.widths, int(labels.max()) + 1, arguments.reconstruction_weight > 0)
    fix_input_standardisation(model.vgg[0], images)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=arguments.lr)
    steps_per_epoch = (images.shape[0] + arguments.batch_size - 1) // arguments.batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, arguments.lr, epochs=arguments.epochs,
                                                   steps_per_epoch=steps_per_epoch)
    rng = torch.Generator().manual_seed(arguments.seed)
    started = time.time()
    for epoch in range(arguments.epochs):
        model.train()
        order = torch.randperm(images.shape[0], generator=rng)
        total = 0.0
        for start in range(0, images.shape[0], arguments.batch_size):
            picks = order[start:start + arguments.batch_size]
            batch = augment(images[picks], rng)
            outputs = model(batch)
            if model.inverse is None:
                loss = F.cross_entropy(outputs, labels[picks])
            else:
                reconstruction = F.mse_loss(outputs[1], batch)
                loss = F.cross_entropy(outputs[0], labels[picks]) + arguments.reconstruction_weight * reconstruction
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss) * picks.shape[0]
        print(f"encoder epoch {epoch + 1}/{arguments.epochs}: train loss {total / images.shape[0]:.3f}"
              + (f" (last reconstruction MSE {float(reconstruction):.4f})" if model.inverse is not None else "")
              + ", val top-1 "
              f"{accuracy(model, val_images, val_labels):.3f}, {time.time() - started:.0f} s", file=sys.stderr,
              flush=True)
    seconds = time.time() - started
    report = dict(widths=list(arguments.widths), epochs=arguments.epochs, seconds=round(seconds, 1),
                  reconstruction_weight=arguments.reconstruction_weight,
                  train_top1=round(accuracy(model, images, labels), 4),
                  val_top1=round(accuracy(model, val_images, val_labels), 4))
    report["normalisation_mean_activation_min_max_unscaled"] = normalise_activations(model, images)
    report["val_top1_after_normalisation"] = round(accuracy(model, val_images, val_labels), 4)
    if model.inverse is not None:
        with torch.no_grad():
            report["val_reconstruction_mse"] = round(float(F.mse_loss(model.inverse(model.vgg(val_images)),
                                                                      val_images)), 5)
    print(json.dumps(report))
    torch.save(model.state_dict(), os.path.join(arguments.work, "encoder.pt"))
    with open(os.path.join(arguments.work, "encoder.json"), "w", encoding="utf-8") as file:
        json.dump(report, file)


def load_frozen_encoder(work, with_inverse=False):
    """The frozen vgg and its widths (and the auxiliary inverse decoder's state_dict, or None)."""
    report = json.load(open(os.path.join(work, "encoder.json"), encoding="utf-8"))
    state = torch.load(os.path.join(work, "encoder.pt"), map_location="cpu")
    model = EncoderClassifier(report["widths"], state["head.weight"].shape[0], "inverse.1.weight" in state)
    model.load_state_dict(state)
    vgg = model.vgg.eval()
    for parameter in vgg.parameters():
        parameter.requires_grad_(False)
    if with_inverse:
        return vgg, report["widths"], model.inverse.state_dict() if model.inverse is not None else None
    return vgg, report["widths"]


# ---- decoder: pytorch-AdaIN's train.py loss ------------------------------------------------------------------

def adain_losses(vgg, decoder, content, style):
    """net.py's Net.forward at alpha 1: (content loss, style loss), each a per-batch MSE sum as net.py."""
    style_features = encode_levels(vgg, style)
    content_feature = vgg(content)
    target = adaptive_instance_normalization(content_feature, style_features[-1])
    output_features = encode_levels(vgg, decoder(target))
    loss_c = F.mse_loss(output_features[-1], target)
    loss_s = 0.0
    for output, wanted in zip(output_features, style_features):
        output_mean, output_std = calc_mean_std(output)
        wanted_mean, wanted_std = calc_mean_std(wanted)
        loss_s = loss_s + F.mse_loss(output_mean, wanted_mean) + F.mse_loss(output_std, wanted_std)
    return loss_c, loss_s


def he_initialise(decoder):
    """He-normal (fan_in) convs, zero biases; the output conv (no ReLU after it) at a tenth of that, bias 0.5 so
    the first images sit mid-grey. PyTorch's default (std sqrt(1/(3 fan_in))) shrinks the signal by ~sqrt(3) per
    ReLU layer: the first decoder runs (that init) sat at the untrained style loss for ~500 iterations."""
    convs = [module for module in decoder if isinstance(module, nn.Conv2d)]
    for conv in convs:
        nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(conv.bias)
    with torch.no_grad():
        convs[-1].weight.mul_(0.1)
        convs[-1].bias.fill_(0.5)


def decoder_path(work, style_weight, suffix):
    return os.path.join(work, "decoder-sw%g.%s" % (style_weight, suffix))


def train_decoder(arguments):
    torch.set_num_threads(arguments.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(arguments.seed)
    vgg, widths, inverse = load_frozen_encoder(arguments.work, with_inverse=True)
    content, _ = load_images01([arguments.data])
    styles, _ = load_images01(arguments.styles)
    decoder = make_decoder(widths)
    he_initialise(decoder)
    if inverse is not None and not arguments.no_inverse_start:
        decoder.load_state_dict(inverse)  # start from the encoder's own inverse (the AdaIN loss then trains it)
    optimizer = torch.optim.Adam(decoder.parameters(), lr=arguments.lr)
    rng = torch.Generator().manual_seed(arguments.seed)
    log = open(decoder_path(arguments.work, arguments.style_weight, "jsonl"), "w", encoding="utf-8")
    started, window_c, window_s = time.time(), 0.0, 0.0
    for iteration in range(1, arguments.iterations + 1):
        for group in optimizer.param_groups:  # train.py's adjust_learning_rate
            group["lr"] = arguments.lr / (1.0 + arguments.lr_decay * (iteration - 1))
        content_batch = augment(content[torch.randint(0, content.shape[0], (arguments.batch_size,), generator=rng)],
                                rng)
        style_batch = styles[torch.randint(0, styles.shape[0], (arguments.batch_size,), generator=rng)]
        loss_c, loss_s = adain_losses(vgg, decoder, content_batch, style_batch)
        loss = arguments.content_weight * loss_c + arguments.style_weight * loss_s
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        window_c, window_s = window_c + float(loss_c), window_s + float(loss_s)
        if iteration % arguments.log_every == 0:
            record = dict(iteration=iteration, content_loss=round(window_c / arguments.log_every, 5),
                          style_loss=round(window_s / arguments.log_every, 5), seconds=round(time.time() - started, 1))
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(f"sw {arguments.style_weight:g} iter {iteration}/{arguments.iterations} "
                  f"loss_c {record['content_loss']:.4f} loss_s {record['style_loss']:.4f} {record['seconds']:.0f} s",
                  file=sys.stderr, flush=True)
            window_c, window_s = 0.0, 0.0
    log.close()
    torch.save(dict(decoder=decoder.state_dict(), widths=widths, seconds=time.time() - started,
                    arguments={k: v for k, v in vars(arguments).items() if k != "function"}),
               decoder_path(arguments.work, arguments.style_weight, "pt"))


# ---- choosing the style weight on validation pairs ------------------------------------------------------------

def validation_pairs(val_folder, style_folders, seed=5):
    content, _ = load_images01([val_folder])
    styles, _ = load_images01(style_folders)
    order = torch.randperm(styles.shape[0], generator=torch.Generator().manual_seed(seed))
    return content, styles[order[torch.arange(content.shape[0]) % styles.shape[0]]]


def sobel_magnitude(images):
    grey = images.mean(dim=1, keepdim=True)
    kernel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    kernels = torch.stack([kernel, kernel.t()]).unsqueeze(1)
    gradients = F.conv2d(F.pad(grey, [1, 1, 1, 1], mode="replicate"), kernels)
    return gradients.pow(2).sum(dim=1).sqrt().flatten(1)


def edge_correlation(a, b):
    """Mean per-image Pearson correlation of luminance edge magnitudes: does the output keep the content's edges."""
    x, y = sobel_magnitude(a), sobel_magnitude(b)
    x, y = x - x.mean(1, keepdim=True), y - y.mean(1, keepdim=True)
    return float(((x * y).sum(1) / (x.norm(dim=1) * y.norm(dim=1) + 1e-12)).mean())


def evaluate(vgg, decoder, content, styles):
    """Validation content and style losses (means over batches of 100), and the edge correlation of outputs."""
    totals, outputs = [0.0, 0.0, 0.0], []
    batches = range(0, content.shape[0], 100)
    with torch.no_grad():
        for start in batches:
            c, s = content[start:start + 100], styles[start:start + 100]
            loss_c, loss_s = adain_losses(vgg, decoder, c, s)
            totals[0] += float(loss_c)
            totals[1] += float(loss_s)
            outputs.append(decoder(adaptive_instance_normalization(vgg(c), vgg(s))).clamp(0, 1))
    return dict(content_loss=totals[0] / len(batches), style_loss=totals[1] / len(batches),
                edge_correlation=edge_correlation(content, torch.cat(outputs)))


def untransferred_style_loss(vgg, content, styles):
    """S0: the style loss if the output were the content image itself."""
    total = 0.0
    with torch.no_grad():
        for output, wanted in zip(encode_levels(vgg, content), encode_levels(vgg, styles)):
            (om, osd), (wm, wsd) = calc_mean_std(output), calc_mean_std(wanted)
            total += float(F.mse_loss(om, wm) + F.mse_loss(osd, wsd))
    return total


def choose(arguments):
    torch.set_num_threads(arguments.threads)
    vgg, widths = load_frozen_encoder(arguments.work)
    content, styles = validation_pairs(arguments.val, arguments.styles)
    base = untransferred_style_loss(vgg, content, styles)
    rows = []
    for path in glob.glob(os.path.join(arguments.work, "decoder-sw*.pt")):
        payload = torch.load(path, map_location="cpu")
        decoder = make_decoder(widths)
        decoder.load_state_dict(payload["decoder"])
        row = dict(style_weight=payload["arguments"]["style_weight"], train_seconds=round(payload["seconds"], 1))
        row.update({k: round(v, 5) for k, v in evaluate(vgg, decoder, content, styles).items()})
        rows.append(row)
    rows.sort(key=lambda row: row["style_weight"])
    content_bound = CONTENT_FACTOR * min(row["content_loss"] for row in rows)
    within = [row for row in rows if row["content_loss"] <= content_bound]
    closing = [row for row in within if row["style_loss"] <= STYLE_FRACTION * base]
    chosen = closing[0] if closing else within[-1]
    result = dict(criterion=CRITERION, untransferred_style_loss=round(base, 5), content_bound=round(content_bound, 5),
                  style_bound=round(STYLE_FRACTION * base, 5), sweep=rows, chosen_style_weight=chosen["style_weight"],
                  validation_pairs=f"{content.shape[0]} natural val images, each with a generated style image")
    print(json.dumps(result, indent=1))
    with open(os.path.join(arguments.work, "choice.json"), "w", encoding="utf-8") as file:
        json.dump(result, file, indent=1)


# ---- export, picture, C++ reference --------------------------------------------------------------------------

def export(arguments):
    vgg, widths = load_frozen_encoder(arguments.work)
    payload = torch.load(decoder_path(arguments.work, arguments.style_weight, "pt"), map_location="cpu")
    encoder_report = json.load(open(os.path.join(arguments.work, "encoder.json"), encoding="utf-8"))
    os.makedirs(arguments.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        torch.save(vgg.state_dict(), os.path.join(directory, "vgg.pth"))
        torch.save(payload["decoder"], os.path.join(directory, "decoder.pth"))
        source = ("tools/train_demo_transfer.py: encoder = classifier on fashion-scenes train (val top-1 %.3f), "
                  "normalised; decoder style weight %g, %d iterations; torch %s"
                  % (encoder_report["val_top1_after_normalisation"], arguments.style_weight,
                     payload["arguments"]["iterations"], torch.__version__))
        path = os.path.join(arguments.out, "transfer-network.safetensors")
        print(json.dumps(convert(os.path.join(directory, "vgg.pth"), os.path.join(directory, "decoder.pth"), path,
                                 source)))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)


def widths_argument(text):
    widths = tuple(int(w) for w in text.split(","))
    if len(widths) != 4 or min(widths) < 1:
        raise argparse.ArgumentTypeError("four positive widths, e.g. 16,32,64,128")
    return widths


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sub = {name: commands.add_parser(name) for name in ("encoder", "decoder", "choose", "export", "grid", "reference")}
    for name, command in sub.items():
        command.add_argument("--threads", type=int, default=2)
        if name in ("encoder", "decoder", "choose", "export"):
            command.add_argument("--work", required=True, help="checkpoints and logs")
        if name in ("decoder", "choose", "grid", "reference"):
            command.add_argument("--styles", action="append", required=True, help="a generated ImageFolder")
        if name in ("encoder", "choose", "grid", "reference"):
            command.add_argument("--val", required=True, help="the natural validation split")
        if name in ("encoder", "decoder"):
            command.add_argument("--data", required=True, help="the natural training split")
            command.add_argument("--seed", type=int, default=1)
        if name in ("grid", "reference"):
            command.add_argument("--weights", required=True, help="an exported transfer network")
            command.add_argument("--out", required=True)
    sub["encoder"].add_argument("--widths", type=widths_argument, default=DEFAULT_WIDTHS)
    sub["encoder"].add_argument("--epochs", type=int, default=20)
    sub["encoder"].add_argument("--batch-size", type=int, default=64)
    sub["encoder"].add_argument("--lr", type=float, default=2e-3)
    sub["encoder"].add_argument("--reconstruction-weight", type=float, default=0.0,
                                help="> 0: also train a decoder to reconstruct the image from relu4_1 (pixel MSE)")
    sub["decoder"].add_argument("--style-weight", type=float, required=True)
    sub["decoder"].add_argument("--content-weight", type=float, default=1.0)
    sub["decoder"].add_argument("--iterations", type=int, default=2000)
    sub["decoder"].add_argument("--batch-size", type=int, default=16)
    sub["decoder"].add_argument("--lr", type=float, default=5e-4)
    sub["decoder"].add_argument("--lr-decay", type=float, default=5e-5, help="train.py's lr / (1 + decay * i)")
    sub["decoder"].add_argument("--log-every", type=int, default=50)
    sub["decoder"].add_argument("--no-inverse-start", action="store_true",
                                help="He init even if the encoder has an auxiliary inverse decoder")
    sub["export"].add_argument("--style-weight", type=float, required=True)
    sub["export"].add_argument("--out", required=True, help="folder for transfer-network.safetensors")
    sub["grid"].add_argument("--content-classes", type=int, nargs="+", default=[0, 2, 5, 7, 8, 9])
    sub["grid"].add_argument("--style-classes", type=int, nargs="+", default=[1, 3, 4, 6, 8])
    sub["grid"].add_argument("--pick", type=int, default=0, help="which image of each class")
    sub["grid"].add_argument("--scale", type=int, default=4, help="nearest upscaling factor")
    arguments = parser.parse_args(argv)
    {"encoder": train_encoder, "decoder": train_decoder, "choose": choose, "export": export, "grid": grid,
     "reference": reference}[arguments.command](arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
