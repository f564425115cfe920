#!/usr/bin/env python3
# Trains genint's embedded demo generator: pytorch-pretrained-biggan's own BigGAN-deep class at 32x32 on the
# fashion-scenes training split (hinge loss, BigGAN-deep residual D with projection), then exports it for gan/biggan.
"""Usage (from the repository root; the reference package as in tools/golden/make_biggan_goldens.py):

  PYTHONPATH=/tmp/ppb /usr/bin/python3 tools/train_demo_gan.py train --data SCENES/train --work WORK \
      --iterations 4000 --threads 2 [--resume]
  PYTHONPATH=/tmp/ppb /usr/bin/python3 tools/train_demo_gan.py export --work WORK --out gan/demo
  PYTHONPATH=/tmp/ppb /usr/bin/python3 tools/train_demo_gan.py samples --work WORK --out DIR --truncation 0.2
  /usr/bin/python3 tools/train_demo_gan.py hue --folder DIR [--folder DIR2 ...]

train   writes WORK/checkpoint.pt every --checkpoint-every iterations (G, D, EMA G, both Adams, RNG states);
        --resume continues from it; --keep-every N also keeps WORK/checkpoint-ITERATION.pt every N iterations.
        Progress goes to stderr and WORK/train-log.jsonl.
export  takes the EMA generator (of WORK/checkpoint.pt, or of --checkpoint FILE), computes the truncation-dependent
        batch-norm statistics the reference stores (its n_stats truncations t = i / (n_stats - 1): G in train mode
        over --stats-batches batches of z = t * truncnorm(-2, 2), the mean of the batch means and of the unbiased
        batch variances), writes WORK/export/{pytorch_model.bin,config.json}, converts them with
        tools/convert_biggan.py to OUT/generator.safetensors and writes OUT/reference_cases.safetensors (fixed z and
        classes, and the reference package's eval-mode images at truncations 1.0 and 0.4) for
        tests/gan/demo_generator_test.cpp.
samples writes eval-mode images of the exported model as an ImageFolder of JPEGs (class folders of --data).
hue     prints per class the histogram of each image's mean border hue (30-degree bins), as JSON lines.
fidelity trains a small CNN on the natural training split and prints its top-1 on each --folder (the natural
        validation split for reference, generated folders for class fidelity).
"""
import argparse
import copy
import json
import os
import shutil
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(REPO, "tools", "golden"))
from demo_gan_checks import fidelity, hue, load_image_folder  # noqa: E402  (the quality read-outs)

# Output 32 = 4 * 2^3. Two blocks per resolution as BigGAN-deep; channels halve where in != out (the skip keeps
# half); attention before the block whose input is 16x16, as the 128 model's sits at 64x64 (half the output).
DEMO_CONFIG = dict(output_dim=32, z_dim=32, class_embed_dim=32, channel_width=16, num_classes=10,
                   layers=[[False, 16, 16], [True, 16, 8], [False, 8, 8], [True, 8, 4], [False, 4, 2], [True, 2, 1]],
                   attention_layer_position=4, eps=1e-4, n_stats=51)
LATENT_BOUND = 2.0  # pytorch-pretrained-biggan's truncnorm(-2, 2), also genint's sampler


def reference_package():
    """The reference model module, imported as the golden maker does (no download helper)."""
    import make_biggan_goldens  # noqa: E402  (tools/golden is not a package)
    return make_biggan_goldens.reference_model


# ---- batch norm in train mode: the reference only has eval mode (stored statistics) --------------------------

class StatisticsRecorder:
    """Collects each batch norm's batch mean and unbiased variance while standing statistics are computed."""
    active = None

    def __init__(self):
        self.sums = {}

    def add(self, module, mean, variance):
        entry = self.sums.setdefault(module, [torch.zeros_like(mean), torch.zeros_like(variance), 0])
        entry[0] += mean
        entry[1] += variance
        entry[2] += 1


def install_training_batch_norm(reference):
    """Train mode normalises with batch statistics (BigGAN's training); eval mode is the reference's own code."""
    original = reference.BigGANBatchNorm.forward

    def forward(self, x, truncation, condition_vector=None):
        if not self.training:
            return original(self, x, truncation, condition_vector)
        mean = x.mean(dim=(0, 2, 3))
        variance = x.var(dim=(0, 2, 3), unbiased=False)
        if StatisticsRecorder.active is not None:
            count = x.shape[0] * x.shape[2] * x.shape[3]
            StatisticsRecorder.active.add(self, mean.detach(), variance.detach() * count / max(count - 1, 1))
        normalised = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(variance.view(1, -1, 1, 1) + self.eps)
        if self.conditional:
            weight = 1 + self.scale(condition_vector).unsqueeze(-1).unsqueeze(-1)
            bias = self.offset(condition_vector).unsqueeze(-1).unsqueeze(-1)
            return normalised * weight + bias
        return normalised * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)

    reference.BigGANBatchNorm.forward = forward


def build_generator(reference, seed):
    torch.manual_seed(seed)
    model = reference.BigGAN(reference.BigGANConfig.from_dict(copy.deepcopy(DEMO_CONFIG)))
    for name, parameter in model.named_parameters():
        if name.endswith("weight_orig"):
            nn.init.orthogonal_(parameter)  # BigGAN's G_init 'ortho'
        elif name.endswith(".bias") and "generator.bn." not in name:
            nn.init.zeros_(parameter)
    model.generator.bn.weight.data.fill_(1.0)  # the reference leaves these two uninitialised (torch.Tensor(n))
    model.generator.bn.bias.data.zero_()
    nn.init.normal_(model.embeddings.weight)  # class embedding on the same scale as z (unit entries)
    return model


# ---- discriminator: BigGAN-deep's residual D (bottleneck blocks), spectral norm, class projection -------------

def sn(module):
    return nn.utils.spectral_norm(module, eps=1e-4)


class DiscriminatorBlock(nn.Module):
    """relu-conv1x1-relu-conv3x3-relu-conv3x3-relu-(avgpool)-conv1x1; skip: (avgpool), widened by a 1x1 conv."""

    def __init__(self, in_channels, out_channels, down_sample):
        super().__init__()
        middle = out_channels // 4
        self.down_sample = down_sample
        self.conv_0 = sn(nn.Conv2d(in_channels, middle, 1))
        self.conv_1 = sn(nn.Conv2d(middle, middle, 3, padding=1))
        self.conv_2 = sn(nn.Conv2d(middle, middle, 3, padding=1))
        self.conv_3 = sn(nn.Conv2d(middle, out_channels, 1))
        self.extra = sn(nn.Conv2d(in_channels, out_channels - in_channels, 1)) if out_channels > in_channels else None

    def forward(self, x):
        h = self.conv_0(F.relu(x))
        h = self.conv_1(F.relu(h))
        h = self.conv_2(F.relu(h))
        h = F.relu(h)
        if self.down_sample:
            h = F.avg_pool2d(h, 2)
            x = F.avg_pool2d(x, 2)
        h = self.conv_3(h)
        if self.extra is not None:
            x = torch.cat([x, self.extra(x)], dim=1)
        return h + x


class Discriminator(nn.Module):
    def __init__(self, width, num_classes):
        super().__init__()
        self.input_conv = sn(nn.Conv2d(3, width, 3, padding=1))
        self.blocks = nn.ModuleList([
            DiscriminatorBlock(width, 2 * width, True),        # 32 -> 16
            DiscriminatorBlock(2 * width, 4 * width, True),    # 16 -> 8
            DiscriminatorBlock(4 * width, 4 * width, True),    # 8 -> 4
            DiscriminatorBlock(4 * width, 4 * width, False)])
        self.linear = sn(nn.Linear(4 * width, 1))
        self.embedding = sn(nn.Embedding(num_classes, 4 * width))  # projection discriminator (Miyato & Koyama)
        for name, parameter in self.named_parameters():
            if name.endswith("weight_orig"):
                nn.init.orthogonal_(parameter)
            elif name.endswith(".bias"):
                nn.init.zeros_(parameter)

    def forward(self, images, labels):
        h = self.input_conv(images)
        for block in self.blocks:
            h = block(h)
        h = torch.sum(F.relu(h), dim=(2, 3))
        return self.linear(h).squeeze(1) + torch.sum(self.embedding(labels) * h, dim=1)


def translate(images, generator, fraction=0.125):
    """DiffAugment's translation (both real and fake, D side only): shifts by up to fraction * size, zero fill.
    It keeps colour, so the hue confound reaches D untouched; it does not leak into G's samples."""
    batch, _, height, width = images.shape
    shift = int(height * fraction + 0.5)
    offsets = torch.randint(-shift, shift + 1, (batch, 2), generator=generator)
    padded = F.pad(images, [shift, shift, shift, shift])
    rows = (torch.arange(height).view(1, height) + shift - offsets[:, :1]).clamp(0, height + 2 * shift - 1)
    columns = (torch.arange(width).view(1, width) + shift - offsets[:, 1:]).clamp(0, width + 2 * shift - 1)
    gathered = padded[torch.arange(batch).view(batch, 1, 1), :, rows.view(batch, height, 1), columns.view(batch, 1, width)]
    return gathered.permute(0, 3, 1, 2).contiguous()


# ---- data and latents ----------------------------------------------------------------------------------------

def truncated_latents(count, dimension, truncation, generator):
    """truncnorm(-2, 2) * truncation by rejection, as pytorch-pretrained-biggan's truncated_noise_sample."""
    values = torch.randn(count, dimension, generator=generator)
    outside = values.abs() > LATENT_BOUND
    while outside.any():
        values[outside] = torch.randn(int(outside.sum()), generator=generator)
        outside = values.abs() > LATENT_BOUND
    return values * truncation


def one_hot(labels, num_classes):
    return F.one_hot(labels, num_classes).float()


# ---- training ----------------------------------------------------------------------------------------------

def make_state(arguments, reference):
    generator_model = build_generator(reference, arguments.seed)
    discriminator = Discriminator(arguments.d_width, DEMO_CONFIG["num_classes"])
    state = {
        "generator": generator_model, "discriminator": discriminator, "ema": copy.deepcopy(generator_model),
        "g_optimizer": torch.optim.Adam(generator_model.parameters(), lr=arguments.g_lr, betas=(0.0, 0.999), eps=1e-6),
        "d_optimizer": torch.optim.Adam(discriminator.parameters(), lr=arguments.d_lr, betas=(0.0, 0.999), eps=1e-6),
        "iteration": 0, "rng": torch.Generator().manual_seed(arguments.seed + 1), "seconds": 0.0,
    }
    return state


def save_checkpoint(state, arguments, path):
    payload = {key: state[key].state_dict() for key in ("generator", "discriminator", "ema", "g_optimizer",
                                                        "d_optimizer")}
    payload.update(iteration=state["iteration"], rng=state["rng"].get_state(), seconds=state["seconds"],
                   torch_rng=torch.get_rng_state(), arguments=vars(arguments), config=DEMO_CONFIG)
    torch.save(payload, path + ".partial")
    os.replace(path + ".partial", path)


def load_checkpoint(state, path):
    payload = torch.load(path, map_location="cpu")
    for key in ("generator", "discriminator", "ema", "g_optimizer", "d_optimizer"):
        state[key].load_state_dict(payload[key])
    state["iteration"], state["seconds"] = payload["iteration"], payload["seconds"]
    state["rng"].set_state(payload["rng"])
    torch.set_rng_state(payload["torch_rng"])
    return payload


def update_ema(ema, model, decay):
    """EMA of the parameters; buffers (spectral-norm u, v; unused stored statistics) are copied."""
    with torch.no_grad():
        model_parameters = dict(model.named_parameters())
        for name, parameter in ema.named_parameters():
            parameter.mul_(decay).add_(model_parameters[name], alpha=1.0 - decay)
        model_buffers = dict(model.named_buffers())
        for name, buffer in ema.named_buffers():
            buffer.copy_(model_buffers[name])


def training_step(state, images, labels, arguments):
    generator_model, discriminator, rng = state["generator"], state["discriminator"], state["rng"]
    batch = arguments.batch_size
    num_classes = DEMO_CONFIG["num_classes"]
    picks = torch.randint(0, images.shape[0], (batch,), generator=rng)
    real, real_labels = images[picks], labels[picks]
    fake_labels = torch.randint(0, num_classes, (batch,), generator=rng)
    z = truncated_latents(batch, DEMO_CONFIG["z_dim"], 1.0, rng)
    with torch.no_grad():
        fake = generator_model(z, one_hot(fake_labels, num_classes), 1.0)
    both = translate(torch.cat([real, fake]), rng)
    scores = discriminator(both, torch.cat([real_labels, fake_labels]))
    d_loss = F.relu(1.0 - scores[:batch]).mean() + F.relu(1.0 + scores[batch:]).mean()
    state["d_optimizer"].zero_grad(set_to_none=True)
    d_loss.backward()
    state["d_optimizer"].step()

    fake_labels = torch.randint(0, num_classes, (batch,), generator=rng)
    z = truncated_latents(batch, DEMO_CONFIG["z_dim"], 1.0, rng)
    fake = generator_model(z, one_hot(fake_labels, num_classes), 1.0)
    g_loss = -discriminator(translate(fake, rng), fake_labels).mean()
    state["g_optimizer"].zero_grad(set_to_none=True)
    g_loss.backward()
    state["g_optimizer"].step()
    return float(d_loss), float(g_loss), float(scores[:batch].mean()), float(scores[batch:].mean())


def train(arguments):
    torch.set_num_threads(arguments.threads)
    # Subnormal floats cost ~100 cycles each on x86; a first run without this fell from 0.8 to 0.1 iterations/s
    # after ~120 iterations, the same run with it (and OMP_WAIT_POLICY=PASSIVE, see gan/demo/README.md) did not.
    torch.set_flush_denormal(True)
    reference = reference_package()
    install_training_batch_norm(reference)
    os.makedirs(arguments.work, exist_ok=True)
    images, labels, classes = load_image_folder(arguments.data)
    print(f"data: {images.shape[0]} images of {images.shape[2]}x{images.shape[3]} in {len(classes)} classes",
          file=sys.stderr)
    state = make_state(arguments, reference)
    checkpoint = os.path.join(arguments.work, "checkpoint.pt")
    if arguments.resume and os.path.exists(checkpoint):
        load_checkpoint(state, checkpoint)
        print(f"resumed at iteration {state['iteration']}", file=sys.stderr)
    else:
        torch.manual_seed(arguments.seed)
    for module in (state["generator"], state["discriminator"], state["ema"]):
        module.train()
    log = open(os.path.join(arguments.work, "train-log.jsonl"), "a", encoding="utf-8")
    window_start, window_iterations = time.time(), 0
    while state["iteration"] < arguments.iterations:
        started = time.time()
        d_loss, g_loss, real_score, fake_score = training_step(state, images, labels, arguments)
        state["iteration"] += 1
        decay = 0.0 if state["iteration"] <= arguments.ema_start else arguments.ema_decay
        update_ema(state["ema"], state["generator"], decay)
        state["seconds"] += time.time() - started
        window_iterations += 1
        if state["iteration"] % arguments.log_every == 0 or state["iteration"] == arguments.iterations:
            rate = window_iterations / max(time.time() - window_start, 1e-9)
            remaining = (arguments.iterations - state["iteration"]) / max(rate, 1e-9)
            record = dict(iteration=state["iteration"], d_loss=round(d_loss, 4), g_loss=round(g_loss, 4),
                          d_real=round(real_score, 3), d_fake=round(fake_score, 3),
                          iterations_per_second=round(rate, 3), train_seconds=round(state["seconds"], 1))
            print(f"iter {state['iteration']}/{arguments.iterations} d_loss {d_loss:.3f} g_loss {g_loss:.3f} "
                  f"D(real) {real_score:.2f} D(fake) {fake_score:.2f} {rate:.2f} it/s ETA {remaining / 60:.1f} min",
                  file=sys.stderr, flush=True)
            log.write(json.dumps(record) + "\n")
            log.flush()
            window_start, window_iterations = time.time(), 0
        if state["iteration"] % arguments.checkpoint_every == 0 or state["iteration"] == arguments.iterations:
            save_checkpoint(state, arguments, checkpoint)
            if arguments.keep_every and state["iteration"] % arguments.keep_every == 0:
                kept = os.path.join(arguments.work, f"checkpoint-{state['iteration']:06d}.pt")
                shutil.copyfile(checkpoint, kept + ".partial")
                os.replace(kept + ".partial", kept)
    log.close()
    print(f"trained {state['iteration']} iterations in {state['seconds'] / 60:.1f} min of step time", file=sys.stderr)


# ---- export: standing statistics, conversion, reference cases ------------------------------------------------

def standing_statistics(model, arguments):
    """Fills every BigGANBatchNorm's running_means/vars[i] for truncation i / (n_stats - 1), G in train mode."""
    rng = torch.Generator().manual_seed(arguments.seed + 2)
    num_classes, z_dim, n_stats = DEMO_CONFIG["num_classes"], DEMO_CONFIG["z_dim"], DEMO_CONFIG["n_stats"]
    labels = torch.arange(arguments.stats_batch_size) % num_classes  # every class equally often
    model.train()
    with torch.no_grad():
        for _ in range(30):  # converge spectral norm's power iteration for the EMA weights (u, v came from G)
            model(truncated_latents(arguments.stats_batch_size, z_dim, 1.0, rng), one_hot(labels, num_classes), 1.0)
        for index in range(n_stats):
            truncation = index / (n_stats - 1)
            StatisticsRecorder.active = StatisticsRecorder()
            for _ in range(arguments.stats_batches):
                z = truncated_latents(arguments.stats_batch_size, z_dim, truncation, rng)
                model(z, one_hot(labels, num_classes), 1.0)  # train mode ignores the truncation argument
            for module, (mean_sum, variance_sum, count) in StatisticsRecorder.active.sums.items():
                module.running_means[index] = mean_sum / count
                module.running_vars[index] = variance_sum / count
            StatisticsRecorder.active = None
    model.eval()


def reference_cases(model, arguments):
    """Fixed z and classes and the reference's eval-mode images at two grid truncations."""
    rng = torch.Generator().manual_seed(arguments.seed + 3)
    labels = torch.tensor([0, 3, 7, 9])
    classes = one_hot(labels, DEMO_CONFIG["num_classes"])
    cases = {"class_vectors": classes}
    with torch.no_grad():
        for truncation in (1.0, 0.4):
            z = truncated_latents(labels.shape[0], DEMO_CONFIG["z_dim"], truncation, rng)
            cases[f"z_truncation_{truncation}"] = z
            cases[f"images_truncation_{truncation}"] = model(z, classes, truncation)
    return cases


def export(arguments):
    torch.set_num_threads(arguments.threads)
    reference = reference_package()
    install_training_batch_norm(reference)
    import convert_biggan  # noqa: E402  (tools/ is not a package)
    payload = torch.load(arguments.checkpoint or os.path.join(arguments.work, "checkpoint.pt"), map_location="cpu")
    model = reference.BigGAN(reference.BigGANConfig.from_dict(copy.deepcopy(DEMO_CONFIG)))
    model.load_state_dict(payload["ema"])
    started = time.time()
    standing_statistics(model, arguments)
    print(f"standing statistics: {DEMO_CONFIG['n_stats']} truncations x {arguments.stats_batches} batches of "
          f"{arguments.stats_batch_size} in {time.time() - started:.0f} s", file=sys.stderr)
    export_dir = os.path.join(arguments.work, "export")
    os.makedirs(export_dir, exist_ok=True)
    os.makedirs(arguments.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(export_dir, "pytorch_model.bin"))
    with open(os.path.join(export_dir, "config.json"), "w", encoding="utf-8") as config_file:
        json.dump(DEMO_CONFIG, config_file)
    provenance = {"trained_by": "tools/train_demo_gan.py", "iterations": str(payload["iteration"]),
                  "training_arguments": json.dumps(payload["arguments"], sort_keys=True),
                  "torch": torch.__version__, "standing_statistics": f"{arguments.stats_batches} batches of "
                  f"{arguments.stats_batch_size} per truncation, seed {arguments.seed + 2}"}
    convert_biggan.convert(os.path.join(export_dir, "pytorch_model.bin"), os.path.join(export_dir, "config.json"),
                           os.path.join(arguments.out, "generator.safetensors"), provenance)
    cases = reference_cases(model, arguments)
    convert_biggan.write_safetensors(
        os.path.join(arguments.out, "reference_cases.safetensors"), {k: v.contiguous() for k, v in cases.items()},
        {"made_by": "tools/train_demo_gan.py export", "reference": "pytorch-pretrained-biggan 0.1.1 model.py eval "
         "mode, torch " + torch.__version__, "seed": str(arguments.seed + 3)})
    for name, value in cases.items():
        print(f"{name}: shape {list(value.shape)} mean {value.mean():.4f} std {value.std():.4f}", file=sys.stderr)


# ---- generated samples as an ImageFolder (the read-outs themselves are in tools/demo_gan_checks.py) ---------

def samples(arguments):
    from PIL import Image
    torch.set_num_threads(arguments.threads)
    reference = reference_package()
    model = reference.BigGAN(reference.BigGANConfig.from_dict(copy.deepcopy(DEMO_CONFIG)))
    model.load_state_dict(torch.load(os.path.join(arguments.work, "export", "pytorch_model.bin"), map_location="cpu"))
    model.eval()
    classes = sorted(entry for entry in os.listdir(arguments.data) if os.path.isdir(os.path.join(arguments.data, entry)))
    rng = torch.Generator().manual_seed(arguments.seed)
    with torch.no_grad():
        for label, name in enumerate(classes):
            os.makedirs(os.path.join(arguments.out, name), exist_ok=True)
            z = truncated_latents(arguments.per_class, DEMO_CONFIG["z_dim"], arguments.truncation, rng)
            labels = torch.full((arguments.per_class,), label, dtype=torch.long)
            images = model(z, one_hot(labels, len(classes)), arguments.truncation)
            pixels = ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
            for index, image in enumerate(pixels):
                Image.fromarray(image).save(os.path.join(arguments.out, name, f"gen_{index:05d}.JPEG"), quality=95)
    print(f"wrote {arguments.per_class} images per class for {len(classes)} classes to {arguments.out}",
          file=sys.stderr)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    train_parser = commands.add_parser("train", help="train G and D, EMA of G, checkpoints")
    train_parser.add_argument("--data", required=True, help="the fashion-scenes train split (ImageFolder)")
    train_parser.add_argument("--work", required=True, help="checkpoint and log folder")
    train_parser.add_argument("--iterations", type=int, default=4000)
    train_parser.add_argument("--batch-size", type=int, default=64)
    train_parser.add_argument("--g-lr", type=float, default=1e-4)
    train_parser.add_argument("--d-lr", type=float, default=4e-4)  # SAGAN's two time-scale rates, one D step
    train_parser.add_argument("--d-width", type=int, default=32)
    train_parser.add_argument("--ema-decay", type=float, default=0.999)
    train_parser.add_argument("--ema-start", type=int, default=500, help="EMA copies G until this iteration")
    train_parser.add_argument("--log-every", type=int, default=20)
    train_parser.add_argument("--checkpoint-every", type=int, default=200)
    train_parser.add_argument("--resume", action="store_true")
    train_parser.add_argument("--keep-every", type=int, default=0,
                              help="also keep WORK/checkpoint-ITERATION.pt every N iterations (a multiple of "
                                   "--checkpoint-every; 0: none), to judge the generator along its training")
    for sub in (train_parser, commands.add_parser("export", help="standing statistics, convert, reference cases"),
                commands.add_parser("samples", help="generated ImageFolder of JPEGs")):
        sub.add_argument("--seed", type=int, default=7)
        sub.add_argument("--threads", type=int, default=2)
        if sub is not train_parser:
            sub.add_argument("--work", required=True)
            sub.add_argument("--out", required=True)
    export_parser = commands.choices["export"]
    export_parser.add_argument("--checkpoint", help="a kept checkpoint-ITERATION.pt (default WORK/checkpoint.pt)")
    export_parser.add_argument("--stats-batches", type=int, default=4)
    export_parser.add_argument("--stats-batch-size", type=int, default=100)
    samples_parser = commands.choices["samples"]
    samples_parser.add_argument("--data", required=True, help="an ImageFolder whose class folders name the classes")
    samples_parser.add_argument("--truncation", type=float, default=1.0)
    samples_parser.add_argument("--per-class", type=int, default=100)
    hue_parser = commands.add_parser("hue", help="background hue per class of ImageFolder trees")
    hue_parser.add_argument("--folder", action="append", required=True)
    fidelity_parser = commands.add_parser("fidelity", help="classify generated ImageFolders with a small CNN")
    fidelity_parser.add_argument("--train", required=True, help="natural training split the classifier learns")
    fidelity_parser.add_argument("--folder", action="append", required=True, help="an ImageFolder to classify")
    fidelity_parser.add_argument("--epochs", type=int, default=8)
    fidelity_parser.add_argument("--seed", type=int, default=1)
    fidelity_parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args(argv)
    if arguments.command == "train" and (arguments.keep_every < 0 or
                                         arguments.keep_every % arguments.checkpoint_every != 0):
        parser.error("--keep-every must be 0 or a multiple of --checkpoint-every")
    {"train": train, "export": export, "samples": samples, "hue": hue, "fidelity": fidelity}[arguments.command](arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
