#!/usr/bin/env python3
# Writes the loader configs of the main job's runs (tools/run-main-job, tools/choose-intervention-strategy): the
# natural training split, optionally plus generated images made on the fly by the loader's intervention source.
"""usage: main_job_config.py OUT.json SEED ROOT augment|autoaugment|mixup|readout [KEYS.json LAMBDA]
                           [--transferred T.json]
       main_job_config.py --arm-recipe EPOCHS   (genint-train's options for every arm, one per line)

ROOT is a class-folder tree or a file list. augment: random-resized-crop (scale 0.35-1) and flip, as the arms
train; autoaugment: the same, then torchvision's ImageNet AutoAugment policy (the paper's Table 1 row); mixup: the
same, then Mixup within each batch, lambda ~ Beta(0.4, 0.4) (the paper's alpha; genint-train minimises
lambda CE(y) + (1 - lambda) CE(y')); readout: whole images, no flip, for the nuisance read-outs (a mirror image negates the object's angle and a
crop's aspect change skews it; measured: angle read-out 34.8 % against 31.8 % with crops, ground truth 35.4 %).
KEYS.json holds intervention-source keys (generator, space,
truncation, directions, top_k, step, layers: docs/c-api.md); with it, every batch is 128 natural images plus 32
generated on the fly with loss weight LAMBDA (the paper's 256 + 64, scaled to 2 cores). Batches of 128 natural
images: on 2 cores a step's fixed costs make batch 64 1.7x slower per image (measured).
--transferred T.json: also a transferred source (docs/c-api.md) over ROOT, its contents augmented as the natural
images are; T.json holds its other keys as transferred_keys() writes them (style, network, alpha, count, weight,
contents_per_style and, for generated styles, the intervention keys): the paper's third stream, lambda 2.
"""
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NATURAL_PER_BATCH = 128
GENERATED_PER_BATCH = 32
CLASSES = 10  # fashion-scenes; the demo generator's classes are its labels (class folders sort as 0_..9_)
MIXUP_ALPHA = 0.4  # the paper's Mixup baseline (Table 1)
MODES = ("augment", "autoaugment", "mixup", "readout")
# The arms' model, chosen on ood_val from ERM and the oracle alone (docs/fashion-scenes.md, "The main job's model and
# budget"): He et al.'s CIFAR ResNet-20 keeps 32x32 through its first stage, where ResNet-18's ImageNet stem makes it 8x8.
ARM_ARCH = "resnet20"


def arm_recipe(epochs):
    """genint-train's options for every arm of the main job and for choosing its lambda: ResNet-20, cosine learning
    rate from 0.1, weight decay 5e-4 (He et al.'s CIFAR recipe with a cosine schedule)."""
    return ["--arch", ARM_ARCH, "--num-classes", str(CLASSES), "--epochs", str(epochs), "--lr", "0.1",
            "--lr-schedule", "cosine", "--weight-decay", "5e-4"]


def source_keys(keys, generator):
    """A strategy's keys as the intervention source reads them: the given generator, and a directions path relative
    to the repository (as gan/demo/intervention-strategy.json stores it) made absolute."""
    resolved = dict(keys, generator=os.path.abspath(generator))
    if "directions" in resolved:
        resolved["directions"] = os.path.join(REPO, resolved["directions"])  # an absolute path stays as it is
    return resolved


def transferred_keys(transfer, generator, intervention_keys=None):
    """A transferred source's keys but its root and augmentation: `transfer` as the strategy file's "transfer"
    entry holds them (network relative to the repository, weight = lambda 2, alpha, count, contents_per_style);
    styles generated with `intervention_keys` (the GenInt arm's) and `generator`, or natural ones (Stylized) without."""
    keys = {"kind": "transferred", "network": os.path.join(REPO, transfer["network"]),
            "weight": float(transfer["weight"]), "alpha": list(transfer["alpha"]), "count": int(transfer["count"]),
            "contents_per_style": int(transfer["contents_per_style"]), "threads": 1}
    if intervention_keys is None:
        keys["style"] = "natural"
    else:
        keys.update(source_keys(intervention_keys, generator), style="generated")
    return keys


def transferred_source(keys, root, augment=True):
    """The transferred source of `keys` (transferred_keys()) over `root`, its contents augmented as the natural
    source's are (whole images without augmentation for the read-out's samples)."""
    return dict(keys, root=root, flip=augment, crop_scale_min=0.35 if augment else 1.0)


def loader_config(seed, root, mode, generated_keys=None, generated_weight=None, transferred=None):
    """A deterministic loader config: natural images augmented as `mode` says (whole ones for the read-out), plus
    generated ones if keys are given, plus transferred ones if `transferred` (transferred_keys()) is given."""
    augment = mode != "readout"
    natural = {"kind": "natural", "count": NATURAL_PER_BATCH, "weight": 1.0, "threads": 1, "root": root,
               "flip": augment, "crop_scale_min": 0.35 if augment else 1.0}
    if mode == "autoaugment":
        natural["auto_augment"] = "imagenet"
    sources = [natural]
    if generated_keys is not None:
        # One producer thread: on 2 cores the trainer's OpenMP threads take the rest, and the demo generator makes
        # a batch's 32 images in under a tenth of a training step.
        generated = dict(generated_keys, kind="intervention", count=GENERATED_PER_BATCH,
                         weight=float(generated_weight), threads=1, chunk=GENERATED_PER_BATCH, label_count=CLASSES)
        sources.append(generated)
    if transferred is not None:
        sources.append(transferred_source(transferred, root, augment))
    config = {"seed": seed, "deterministic": True, "batch_size": sum(source["count"] for source in sources),
              "image": {"size": 32, "layout": "float32_chw"}, "sources": sources}
    if mode == "mixup":
        config["mixup"] = {"alpha": MIXUP_ALPHA}
    return config


def main(arguments):
    if len(arguments) == 2 and arguments[0] == "--arm-recipe" and arguments[1].isdigit():
        print("\n".join(arm_recipe(int(arguments[1]))))
        return
    transferred = None
    if "--transferred" in arguments:
        at = arguments.index("--transferred")
        if at + 1 >= len(arguments):
            sys.exit(__doc__)
        transferred = json.load(open(arguments[at + 1]))
        arguments = arguments[:at] + arguments[at + 2:]
    if len(arguments) not in (4, 6) or arguments[3] not in MODES:
        sys.exit(__doc__)
    keys = json.load(open(arguments[4])) if len(arguments) == 6 else None
    config = loader_config(int(arguments[1]), arguments[2], arguments[3], keys,
                           arguments[5] if keys is not None else None, transferred)
    with open(arguments[0], "w") as file:
        json.dump(config, file, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
