# Reading and writing for tools/generator-report: the main job's CSVs and image folders, the ERM ResNet-20's
# safetensors into tools/cifar_resnet.py's PyTorch rebuild (features and predictions), hashes, and the markdown.
import csv
import hashlib
import json
import os
import re

import numpy as np

import safetensors_io

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
IMAGENET_MEAN = (0.485, 0.456, 0.406)  # nn/ops/normalize_images.h: what genint-train and genint-eval feed the model
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGE_SIZE = 32  # the main job trains and evaluates at 32x32 (--resize 32 --crop 32: no resampling)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_files(paths, root):
    """One hash over (path relative to root, content hash) of every file, in the given (sorted) order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{os.path.relpath(path, root)}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def read_text(path):
    with open(path) as file:
        return file.read()


def read_optional(path):
    """A small text file's content without its trailing newline, or None where it does not exist."""
    return read_text(path).rstrip("\n") if os.path.exists(path) else None


def write_text(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as file:
        file.write(text)
    os.replace(path + ".tmp", path)


def set_threads(threads):
    import torch
    torch.set_num_threads(max(1, threads))


def class_sort_key(folder):
    """Class folders sort as genint's dataset index sorts them: fashion-scenes' are 0_tshirt .. 9_ankle_boot."""
    match = re.match(r"(\d+)_", folder)
    return (int(match.group(1)) if match else 1 << 30, folder)


def class_names(root):
    if not os.path.isdir(root):
        raise SystemExit(f"generator-report: error: {root} is missing (an unfinished main job?)")
    return sorted((name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name))), key=class_sort_key)


def class_folder_images(root, names):
    """Image files of a class-folder tree, sorted, with labels = the class's index in `names` (the training split's
    classes: the generator's class c is written into the folder of training class c by genint-gan sample)."""
    present = class_names(root)
    unknown = sorted(set(present) - set(names))
    if unknown:
        raise SystemExit(f"generator-report: error: {root} has class folders not in the training split: {unknown}")
    files, labels = [], []
    for label, name in enumerate(names):
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        for file in sorted(os.listdir(folder)):
            if file.lower().endswith(IMAGE_SUFFIXES):
                files.append(os.path.join(folder, file))
                labels.append(label)
    if not files:
        raise SystemExit(f"generator-report: error: no images under {root}")
    return files, np.array(labels, dtype=np.int64)


def row_key(path):
    """A file's class folder and name: the join key between fashion-scenes CSVs and genint-eval predictions."""
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:])


def read_csv_rows(path, columns):
    if not os.path.exists(path):
        raise SystemExit(f"generator-report: error: {path} is missing (an unfinished main job?)")
    with open(path, newline="") as file:
        reader = csv.DictReader(file)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"generator-report: error: {path} has no column(s) {missing}")
        return list(reader)


def read_records(path, classes):
    """A fashion-scenes CSV: labels, ground-truth hue and angle in degrees, and the join keys."""
    rows = read_csv_rows(path, ("file", "label", "hue", "angle"))
    labels = np.array([int(row["label"]) for row in rows], dtype=np.int64)
    if labels.min() < 0 or labels.max() >= classes:
        raise SystemExit(f"generator-report: error: {path}: labels outside 0..{classes - 1}")
    return {"labels": labels, "hue": np.array([float(row["hue"]) for row in rows]),
            "angle": np.array([float(row["angle"]) for row in rows]), "keys": [row_key(row["file"]) for row in rows]}


def read_readout(hue_path, angle_path):
    """The two read-outs' genint-eval predictions on one tree, joined by file: labels and predicted bins."""
    hue_rows = read_csv_rows(hue_path, ("file", "label", "prediction"))
    angle_rows = {row_key(row["file"]): row for row in read_csv_rows(angle_path, ("file", "label", "prediction"))}
    if len(angle_rows) != len(hue_rows):
        raise SystemExit(f"generator-report: error: {hue_path} and {angle_path} list different files")
    keys, labels, hue, angle = [], [], [], []
    for row in hue_rows:
        key = row_key(row["file"])
        other = angle_rows.get(key)
        if other is None or other["label"] != row["label"]:
            raise SystemExit(f"generator-report: error: {key} differs between {hue_path} and {angle_path}")
        keys.append(key)
        labels.append(int(row["label"]))
        hue.append(int(row["prediction"]))
        angle.append(int(other["prediction"]))
    return {"keys": keys, "labels": np.array(labels, dtype=np.int64), "hue": np.array(hue, dtype=np.int64),
            "angle": np.array(angle, dtype=np.int64)}


def arm_model_path(job, arm, seed):
    """The final model of one of the main job's arms and seeds, and its training log."""
    return run_model_path(os.path.join(job, "arms", f"{arm}-seed{seed}", "train"), f"{arm} run of seed {seed}")


def run_model_path(train, what="genint-train run"):
    """The final model of a genint-train output folder (its latest-checkpoint), and its training log."""
    latest = os.path.join(train, "latest-checkpoint")
    if not os.path.exists(latest):
        raise SystemExit(f"generator-report: error: {latest} is missing (no finished {what})")
    with open(latest) as file:
        checkpoint = file.read().strip()
    return os.path.join(train, "checkpoints", checkpoint, "model.safetensors"), os.path.join(train, "train-log.jsonl")


def logged_val_top1(log_path):
    """genint-train's last validation top-1 (after the final epoch), or None without a log."""
    value = None
    if os.path.exists(log_path):
        with open(log_path) as log:
            for line in log:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a kill
                    continue
                if entry.get("event") == "validation":
                    value = entry["val_top1"]
    return value


def read_safetensors(path):
    """{name: numpy array} and the metadata of a safetensors file (tools/safetensors_io.py)."""
    return safetensors_io.read_safetensors(path, "generator-report")


def load_cifar_resnet(path, classes):
    """The ERM model in tools/cifar_resnet.py's rebuild (state_dict names are the same), in eval mode."""
    import torch
    from cifar_resnet import CifarResNet
    tensors, metadata = read_safetensors(path)
    architecture = metadata.get("architecture", "resnet20")
    model = CifarResNet(architecture, classes)
    state = {name: torch.from_numpy(value) for name, value in tensors.items()}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        raise SystemExit(f"generator-report: error: {path} does not hold a {architecture} with {classes} classes "
                         f"(missing {missing[:3]}, unexpected {extra[:3]})")
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_images(files):
    """float32 N x 3 x 32 x 32, ImageNet-normalised as genint's loader feeds the model."""
    from PIL import Image
    batch = np.empty((len(files), IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.float32)
    for index, path in enumerate(files):
        with Image.open(path) as image:
            if image.size != (IMAGE_SIZE, IMAGE_SIZE):
                raise SystemExit(f"generator-report: error: {path} is {image.size[0]}x{image.size[1]}, not 32x32")
            batch[index] = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    batch = (batch - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    return batch.transpose(0, 3, 1, 2).copy()


def features_and_predictions(model, files, batch_size):
    """The model's global-average-pooled penultimate features (64-d for ResNet-20) and its top-1 class per file."""
    import torch
    features, predictions = [], []
    with torch.no_grad():
        for start in range(0, len(files), batch_size):
            images = torch.from_numpy(load_images(files[start:start + batch_size]))
            hidden = model.relu(model.bn1(model.conv1(images)))
            pooled = torch.flatten(model.avgpool(model.layer3(model.layer2(model.layer1(hidden)))), 1)
            features.append(pooled.numpy().astype(np.float64))
            predictions.append(model.fc(pooled).argmax(dim=1).numpy())
    return np.concatenate(features), np.concatenate(predictions)


def keys_mismatch(keys_path, strategy_keys, generator_hash, arm):
    """Why the job's samples of `arm` may not come from this strategy and generator ([] when they do)."""
    if not os.path.exists(keys_path):
        return [f"{keys_path} is missing: cannot tell which keys made the {arm} samples"]
    used = json.loads(read_text(keys_path))
    problems = []
    for key in sorted(set(used) | set(strategy_keys)):
        if key in ("generator", "directions"):
            continue
        if used.get(key) != strategy_keys.get(key):
            problems.append(f"{arm} samples were made with {key}={used.get(key)!r}, the strategy says "
                            f"{strategy_keys.get(key)!r}")
    if os.path.exists(used.get("generator", "")):
        if sha256_file(used["generator"]) != generator_hash:
            problems.append(f"{arm} samples were made with {used['generator']}, not the given generator")
    else:
        problems.append(f"{arm} samples' generator {used.get('generator')} no longer exists: cannot check it")
    if "directions" in strategy_keys and os.path.basename(used.get("directions", "")) != \
            os.path.basename(strategy_keys["directions"]):
        problems.append(f"{arm} samples used directions {used.get('directions')}")
    return problems


def classifier_words(classifier):
    if "run" in classifier:
        return f"the final model of genint-train run {classifier['run']} (--classifier-run)"
    arm = classifier["arm"]
    if arm == "erm":
        return "ERM on natural training images"
    return f"the {arm} arm's model: a diagnostic, not the issue's classifier"


PER_CLASS_COVERAGE = ("natural-train (ground truth)", "natural-val (read-out)", "observational (read-out)",
                      "interventional (read-out)")
PER_CLASS_TOP1 = ("natural-val", "observational", "interventional")


def percent(share):
    return "—" if share is None else f"{share:.0%}"


def per_class_table(report):
    """Per class: covered bins of each set, and the classifier's top-1 on each set."""
    sets, preservation = report["coverage"]["sets"], report["preservation"]
    lines = ["", "Per class: bins holding the share (natural train's truth · natural val's read-out · observational · "
             "interventional) and top-1 (natural val · observational · interventional):", "",
             "| class | hue bins | angle bins | top-1 |", "|---|---|---|---|"]
    for label, name in enumerate(report["classes"]):
        cells = [" · ".join(str(sets[set_name][nuisance]["per_class"][label]["bins_at_least_share"])
                            for set_name in PER_CLASS_COVERAGE) for nuisance in ("hue", "angle")]
        top1 = " · ".join(percent(preservation[set_name]["per_class_top1"][label]) for set_name in PER_CLASS_TOP1)
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | {top1} |")
    return lines


def markdown(report):
    """A short summary: the three figures with their sample counts (the JSON has every per-class number)."""
    coverage, frechet, preservation = report["coverage"], report["frechet"], report["preservation"]
    inputs = report["inputs"]
    share = coverage["min_share"]
    lines = ["# Generator report", "",
             f"Generator `{inputs['generator']['path']}` sha256 {inputs['generator']['sha256'][:16]}…, strategy "
             f"`{inputs['strategy']['path']}`; classifier `{inputs['classifier']['path']}` "
             f"({classifier_words(inputs['classifier'])}); images read: natural train and val, generated.",
             ""]
    lines += [f"## 1. Nuisance coverage per class (mean over classes: bins holding ≥ {share:.0%} of a class; "
              f"entropy in bits, at most {coverage['max_entropy_bits']})", "",
              "| set | images | hue bins | hue entropy | angle bins | angle entropy |",
              "|---|---:|---:|---:|---:|---:|"]
    for name, entry in coverage["sets"].items():
        hue, angle = entry["hue"]["summary"], entry["angle"]["summary"]
        lines.append(f"| {name} | {entry['samples']} | {hue['mean_bins_at_least_share']:.1f} | "
                     f"{hue['mean_entropy_bits']:.2f} | {angle['mean_bins_at_least_share']:.1f} | "
                     f"{angle['mean_entropy_bits']:.2f} |")
    accuracy = coverage["readout_accuracy_on_natural_val"]
    lines += ["", f"Read-out on natural val ({accuracy['samples']} images): hue bin exact "
              f"{accuracy['hue']['exact']:.1%} (±1 bin {accuracy['hue']['within_one_bin']:.1%}), angle exact {accuracy['angle']['exact']:.1%} "
              f"(±1 bin {accuracy['angle']['within_one_bin']:.1%}).", ""]
    reference = frechet["reference"]
    lines += [f"## 2. Fréchet distance to natural val ({reference['samples']} images), "
              f"{report['feature_dimension']}-d pooled features (their total variance in val: "
              f"{reference['total_variance']:.3f})", "", "| set | images | FD |", "|---|---:|---:|"]
    for name, entry in frechet["distances"].items():
        lines.append(f"| {name} | {entry['samples']} | {entry['fd']:.3f} |")
    lines += ["", "## 3. Object preservation (classifier top-1; generated sets labelled by their generator class)", "",
              "| set | images | top-1 | share of natural val's | its 95 % interval (the set's sampling) |",
              "|---|---:|---:|---:|---|"]
    for name, entry in preservation.items():
        kept, interval = entry.get("preservation"), entry.get("preservation_interval_95")
        lines.append(f"| {name} | {entry['samples']} | {entry['top1']:.1%} | "
                     f"{'—' if kept is None else f'{kept:.1%}'} | "
                     f"{'—' if interval is None else f'{interval[0]:.1%} – {interval[1]:.1%}'} |")
    lines += per_class_table(report)
    check = report["classifier_check"]
    lines += ["", f"Check: the rebuild's natural-val top-1 {check['python_val_top1']:.1%}, genint-train logged "
              f"{check['genint_train_logged_val_top1']}."]
    for warning in report["warnings"]:
        lines.append(f"\n**Warning:** {warning}")
    if report.get("job_strategy_warning"):
        lines.append(f"\nThe main job's strategy-warning (about training, not these samples): "
                     f"{report['job_strategy_warning']}")
    return "\n".join(lines) + "\n"
