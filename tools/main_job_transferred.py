#!/usr/bin/python3
# Writes a sample of a transferred source's images (tools/run-main-job step 5) through the loader's Python binding:
# outputs in class folders of their CONTENT's label for the nuisance read-out; for samples.png contents and styles.
"""usage: PYTHONPATH=BUILD/python main_job_transferred.py --keys T.json --root TRAIN --count N --seed S --out DIR
                                                          --gan-tool BUILD/gan/cli/genint-gan [--threads N]

T.json: the transferred source's keys as tools/main_job_config.py's transferred_keys() writes them (generated or
natural styles). The source runs over ROOT with whole contents (no flip or crop: the read-out was trained on whole
images), uint8, deterministic with seed S, exactly the loader's own code. Writes
  DIR/<class folder>/t_NNNNNNN.png   the first N outputs, in the folder of the content's label (ROOT's sorted
                                     class folders), as the loader delivered them (lossless);
  DIR/samples.csv                    file, label, item (content's dataset index), style_class (the generated
                                     style's class, -1 for a natural style), style_seed (its record's latent_seed),
                                     alpha;
  DIR-content/<class>/t_NNNNNNN.png  for the first PICTURED outputs of each class (by file name): the content
  DIR-style/<class>/t_NNNNNNN.png    and the style image, under the output's name (samples.png's transferred rows).
Contents come from a natural source over ROOT (item -> image); generated styles are regenerated with
`genint-gan sample --seeds` from their records, natural ones are the style root's image at the recorded index.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

import genint

PICTURED = 2  # images per class in samples.png (tools/main_job_pictures.py IMAGES_PER_CELL)
PER_BATCH = 50
INTERVENTION_KEYS = ("generator", "space", "directions", "truncation", "top_k", "step", "layer_begin", "layer_end",
                     "classes")


def class_folders(root):
    """ROOT's class folders in label order (byte-wise sorted, as the loader's ImageFolder layout numbers them)."""
    return sorted(name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name))
                  and not name.startswith("."))


def dataset_size(root):
    """Files in ROOT's class folders (what the loader indexes: fashion-scenes writes only images there)."""
    return sum(len(files) for folder in class_folders(root) for _, _, files in os.walk(os.path.join(root, folder)))


def loader_config(source, seed, threads):
    return {"seed": seed, "deterministic": True, "batch_size": source["count"],
            "image": {"size": 32, "layout": "uint8_hwc"}, "sources": [dict(source, threads=threads)]}


def save_png(pixels, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(np.ascontiguousarray(pixels)).save(path, "PNG")


def write_outputs(keys, args, folders):
    """The first --count transferred samples: PNGs and their rows."""
    source = dict(keys, root=args.root, flip=False, crop_scale_min=1.0,
                  count=min(PER_BATCH, args.count, dataset_size(args.root)))
    rows = []
    with genint.Loader(loader_config(source, args.seed, args.threads)) as loader:
        while len(rows) < args.count:
            with loader.next_batch() as batch:
                host = batch.numpy()
                alphas = host["transfer_alphas"]
                for index in range(batch.size):
                    if len(rows) == args.count:
                        break
                    label = int(host["labels"][index])
                    name = f"{folders[label]}/t_{len(rows):07d}.png"
                    save_png(host["images"][index], os.path.join(args.out, name))
                    record = host["records"][index]
                    rows.append({"file": name, "label": label, "item": int(host["items"][index]),
                                 "style_class": int(record["class_index"]), "style_seed": int(record["latent_seed"]),
                                 "alpha": float(alphas[index])})
    with open(os.path.join(args.out, "samples.csv"), "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def natural_images(items, args):
    """{dataset index: uint8 HWC image} of ROOT's whole images for the given indices (one pass of a natural source)."""
    # A batch size dividing the dataset: one epoch (drop_last) then holds every index.
    size = dataset_size(args.root)
    per_batch = max(count for count in range(1, PER_BATCH + 1) if size % count == 0)
    source = {"kind": "natural", "root": args.root, "count": per_batch, "weight": 1.0, "flip": False,
              "crop_scale_min": 1.0}
    found = {}
    with genint.Loader(loader_config(source, args.seed, args.threads)) as loader:
        for batch in loader:
            with batch:
                host = batch.numpy()
                for index in range(batch.size):
                    item = int(host["items"][index])
                    if item in items:
                        found[item] = np.array(host["images"][index])
            if len(found) == len(items):
                break
    missing = set(items) - set(found)
    if missing:
        sys.exit(f"main_job_transferred: no natural image for dataset indices {sorted(missing)[:5]}")
    return found


def generated_styles(pictured, keys, args):
    """{style seed: uint8 HWC image}: the styles regenerated from their seeds with genint-gan sample --seeds."""
    work = args.out + "-regenerated"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    seeds = [row["style_seed"] for row in pictured]
    with open(os.path.join(work, "keys.json"), "w") as file:
        json.dump({key: keys[key] for key in INTERVENTION_KEYS if key in keys}, file)
    with open(os.path.join(work, "seeds.txt"), "w") as file:
        file.write("".join(f"{seed}\n" for seed in seeds))
    subprocess.run([args.gan_tool, "sample", "--config", os.path.join(work, "keys.json"), "--seeds",
                    os.path.join(work, "seeds.txt"), "--count", str(len(seeds)), "--out", os.path.join(work, "out"),
                    "--threads", str(args.threads), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    styles = {}
    with open(os.path.join(work, "out", "samples.csv")) as file:
        for row in csv.DictReader(file):
            with Image.open(os.path.join(work, "out", row["file"])) as image:
                styles[int(row["seed"])] = (int(row["class"]), np.asarray(image.convert("RGB")))
    for row in pictured:  # the regenerated style must be the recorded one: same seed, same class
        if styles.get(row["style_seed"], (None,))[0] != row["style_class"]:
            sys.exit(f"main_job_transferred: style seed {row['style_seed']} (class {row['style_class']}) was not "
                     f"regenerated as recorded")
    styles = {seed: pixels for seed, (_, pixels) in styles.items()}
    shutil.rmtree(work)
    return styles


def write_pictured(rows, keys, args):
    """Contents and styles of the first PICTURED outputs of each class, under the outputs' names."""
    pictured, per_class = [], {}
    for row in rows:  # rows are in file-name order within each class folder
        folder = row["file"].split("/")[0]
        if per_class.get(folder, 0) < PICTURED:
            per_class[folder] = per_class.get(folder, 0) + 1
            pictured.append(row)
    natural_style = keys.get("style") == "natural"
    items = {row["item"] for row in pictured} | ({row["style_seed"] for row in pictured} if natural_style else set())
    naturals = natural_images(items, args)
    styles = {} if natural_style else generated_styles(pictured, keys, args)
    for row in pictured:
        save_png(naturals[row["item"]], os.path.join(args.out + "-content", row["file"]))
        style = naturals[row["style_seed"]] if natural_style else styles[row["style_seed"]]
        save_png(style, os.path.join(args.out + "-style", row["file"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--gan-tool", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    if os.path.exists(args.out) and os.listdir(args.out):
        parser.error(f"--out {args.out} is not empty")
    with open(args.keys) as file:
        keys = json.load(file)
    if keys.get("kind") != "transferred":
        parser.error(f"{args.keys}: not a transferred source's keys (kind {keys.get('kind')!r})")
    folders = class_folders(args.root)
    rows = write_outputs(keys, args, folders)
    write_pictured(rows, keys, args)
    alphas = [row["alpha"] for row in rows]
    print(json.dumps({"out": args.out, "written": len(rows), "style": keys.get("style", "generated"),
                      "alpha_min": min(alphas), "alpha_max": max(alphas)}))


if __name__ == "__main__":
    main()
