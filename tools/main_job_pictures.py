#!/usr/bin/python3
# Draws the main job's pictures into its output folder (tools/run-main-job): samples.png (images of each training
# and test distribution per class), results.png (OOD and IID top-1 per arm) and curves.png (validation top-1 per epoch).
"""usage: main_job_pictures.py OUT_DIR

OUT_DIR is tools/run-main-job's output folder (build/main-job). Reads OUT_DIR/results.json (required) and the image
folders scenes/train, scenes/ood, observational, interventional, and the transfer arms' transferred-content,
transferred-style, transferred, stylized-content, stylized-style and stylized (each optional: a missing one is left
out; stylized-content too where it equals transferred-content). In the transfer rows a column is the content's class
and the content, style and output of one sample stand one above the other. Validation curves come from
results.json's runs[arm][i]["val_curve"] (top-1 after epochs 1..N) or, where no run has one, from
OUT_DIR/arms/<arm>-seed<k>/train/train-log.jsonl lines with "event": "validation"; with neither, curves.png is not
written and one line says why. Output is deterministic: the same inputs give the same bytes.
"""
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display: the main job runs headless
import matplotlib.pyplot as plt  # noqa: E402  (after the backend choice)
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

# (folder relative to OUT_DIR, row label) in display order. The transfer rows come from tools/main_job_transferred.py:
# a cell's content, style and output are files of the same name in <arm>-content, <arm>-style and <arm>, filed under
# the content's class (a style's own class is drawn independently of it).
SAMPLE_ROWS = (("scenes/train", "natural train"), ("scenes/ood", "OOD test"), ("observational", "observational (GAN)"),
               ("interventional", "interventional (GenInt)"), ("transferred-content", "transfer: content"),
               ("transferred-style", "style: generated"), ("transferred", "transferred output"),
               ("stylized-content", "Stylized: content"), ("stylized-style", "style: natural"),
               ("stylized", "stylized output"))
# Rows left out when they repeat another row file for file (the two transfer arms' samples share their contents when
# drawn with the same seed from the same root).
DUPLICATE_ROWS = {"stylized-content": "transferred-content"}
IMAGES_PER_CELL = 2  # the first two files of a class folder, by sorted name, side by side
CELL_IMAGE_PIXELS = 96  # 32 px images at 3x, nearest neighbour: pixels stay sharp
IMAGE_GAP = 4  # pixels between the two images of a cell
CLASS_GAP = 16  # pixels between classes
ROW_GAP = 12  # pixels between rows
# Margins of samples.png around the image grid, in pixels: room for row labels (left), title and class names (top).
SAMPLES_MARGIN_LEFT, SAMPLES_MARGIN_RIGHT, SAMPLES_MARGIN_TOP, SAMPLES_MARGIN_BOTTOM = 200, 12, 80, 12
SAMPLES_MIN_WIDTH = 760
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

ARM_ORDER = ("erm", "mixup", "autoaugment", "gan_augmentation", "genint", "genint_transfer", "stylized", "oracle")
CHANCE = 0.10  # 10 classes
DPI = 100
RESULTS_SIZE_INCHES = (13.0, 6.2)
CURVES_SIZE_INCHES = (9.0, 5.6)
PNG_METADATA = {"Software": None}  # no version string in the file: output bytes depend on the inputs only


def fail(message):
    print(f"[main_job_pictures] error: {message}", file=sys.stderr)
    sys.exit(1)


def say(message):
    print(f"[main_job_pictures] {message}")


def class_sort_key(folder):
    """Class folders sort by their numeric prefix (0_tshirt ... 9_ankle_boot), then by name."""
    match = re.match(r"(\d+)_", folder)
    return (int(match.group(1)) if match else sys.maxsize, folder)


def class_display_name(folder):
    """'0_tshirt' -> 'tshirt', '9_ankle_boot' -> 'ankle boot'."""
    return re.sub(r"^\d+_", "", folder).replace("_", " ")


def image_files(folder):
    """The image files of a class folder, sorted by name (deterministic choice of the first ones)."""
    return sorted(name for name in os.listdir(folder) if name.lower().endswith(IMAGE_SUFFIXES))


def same_pictured_files(root, other):
    """Whether two sample trees hold the same pictured files (the first IMAGES_PER_CELL per class) byte for byte."""
    if not os.path.isdir(other):
        return False
    for folder in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, folder)):
            continue
        names = image_files(os.path.join(root, folder))[:IMAGES_PER_CELL]
        if not os.path.isdir(os.path.join(other, folder)) or \
                names != image_files(os.path.join(other, folder))[:IMAGES_PER_CELL]:
            return False
        for name in names:
            with open(os.path.join(root, folder, name), "rb") as a, open(os.path.join(other, folder, name), "rb") as b:
                if a.read() != b.read():
                    return False
    return True


def present_sample_rows(out_dir):
    """[(label, root)] for the sample folders that exist, and the sorted union of their class folders."""
    rows, classes = [], set()
    for relative, label in SAMPLE_ROWS:
        root = os.path.join(out_dir, relative)
        if not os.path.isdir(root):
            continue
        if relative in DUPLICATE_ROWS and same_pictured_files(root, os.path.join(out_dir, DUPLICATE_ROWS[relative])):
            continue
        folders = [name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name))]
        if not folders:
            continue
        rows.append((label, root))
        classes.update(folders)
    return rows, sorted(classes, key=class_sort_key)


def samples_layout(row_count, class_count):
    """Pixel geometry of samples.png: the grid's size, the figure's size, and each cell's image boxes as
    boxes[row][class][image] = (left, top) of a CELL_IMAGE_PIXELS square in figure pixels (tests use it too)."""
    cell_width = IMAGES_PER_CELL * CELL_IMAGE_PIXELS + (IMAGES_PER_CELL - 1) * IMAGE_GAP
    grid_width = class_count * cell_width + (class_count - 1) * CLASS_GAP
    grid_height = row_count * CELL_IMAGE_PIXELS + (row_count - 1) * ROW_GAP
    # At least wide enough for the title, however few the classes (the grid stays on the left).
    figure_width = max(SAMPLES_MARGIN_LEFT + grid_width + SAMPLES_MARGIN_RIGHT, SAMPLES_MIN_WIDTH)
    figure_height = SAMPLES_MARGIN_TOP + grid_height + SAMPLES_MARGIN_BOTTOM
    boxes = [[[(SAMPLES_MARGIN_LEFT + c * (cell_width + CLASS_GAP) + i * (CELL_IMAGE_PIXELS + IMAGE_GAP),
                SAMPLES_MARGIN_TOP + r * (CELL_IMAGE_PIXELS + ROW_GAP)) for i in range(IMAGES_PER_CELL)]
              for c in range(class_count)] for r in range(row_count)]
    return {"grid": (grid_width, grid_height), "figure": (figure_width, figure_height), "boxes": boxes,
            "cell_width": cell_width}


def load_cell_image(path):
    """One image as an RGB array at the cell size, or None if it cannot be read: small images are enlarged with
    nearest neighbour (their pixels stay visible), larger ones (an ImageNet-size run) reduced with Lanczos."""
    try:
        with Image.open(path) as image:
            resample = Image.NEAREST if max(image.size) <= CELL_IMAGE_PIXELS else Image.LANCZOS
            image = image.convert("RGB").resize((CELL_IMAGE_PIXELS, CELL_IMAGE_PIXELS), resample)
            return np.asarray(image)
    except OSError as error:
        say(f"skipping unreadable image {path}: {error}")
        return None


def samples_mosaic(rows, classes, layout):
    """The image grid as one white RGB array; a class missing from a row leaves its cell blank."""
    grid_width, grid_height = layout["grid"]
    mosaic = np.full((grid_height, grid_width, 3), 255, dtype=np.uint8)
    for r, (_, root) in enumerate(rows):
        for c, folder in enumerate(classes):
            class_dir = os.path.join(root, folder)
            if not os.path.isdir(class_dir):
                continue
            for i, name in enumerate(image_files(class_dir)[:IMAGES_PER_CELL]):
                pixels = load_cell_image(os.path.join(class_dir, name))
                if pixels is None:
                    continue
                left = layout["boxes"][r][c][i][0] - SAMPLES_MARGIN_LEFT
                top = layout["boxes"][r][c][i][1] - SAMPLES_MARGIN_TOP
                mosaic[top:top + CELL_IMAGE_PIXELS, left:left + CELL_IMAGE_PIXELS] = pixels
    return mosaic


def benchmark_name(out_dir):
    """The benchmark's name from its manifest (scenes/manifest.json), else fashion-scenes."""
    try:
        with open(os.path.join(out_dir, "scenes", "manifest.json")) as manifest:
            name = json.load(manifest).get("dataset", "fashion-scenes")
    except (OSError, ValueError, AttributeError):
        return "fashion-scenes"
    return re.sub(r"^genint ", "", str(name))


def save_lossless_png(figure, path):
    """Saves a figure as an RGB PNG. samples.png shows hue nuisances, so its colours stay exact: lossless it is about
    320 KB for the main job's 4 rows (a 256-colour palette made it 94 KB but moved colours by up to 58 levels)."""
    figure.canvas.draw()
    Image.fromarray(np.asarray(figure.canvas.buffer_rgba())[:, :, :3]).save(path, "PNG", optimize=True)


def draw_samples(out_dir, benchmark):
    """samples.png: one column per class, one row per present image folder, pixels mapped 1:1 onto the figure."""
    rows, classes = present_sample_rows(out_dir)
    if not rows:
        say("no image folders (scenes/train, scenes/ood, observational, interventional, transferred, stylized): "
            "samples.png not written")
        return None
    layout = samples_layout(len(rows), len(classes))
    figure_width, figure_height = layout["figure"]
    grid_width, grid_height = layout["grid"]
    figure = plt.figure(figsize=(figure_width / DPI, figure_height / DPI), dpi=DPI)
    axes = figure.add_axes([SAMPLES_MARGIN_LEFT / figure_width, SAMPLES_MARGIN_BOTTOM / figure_height,
                            grid_width / figure_width, grid_height / figure_height])
    axes.imshow(samples_mosaic(rows, classes, layout), interpolation="none", aspect="auto",
                extent=(0, grid_width, grid_height, 0))
    step = layout["cell_width"] + CLASS_GAP
    axes.set_xticks([c * step + layout["cell_width"] / 2 for c in range(len(classes))])
    axes.set_xticklabels([class_display_name(folder) for folder in classes], fontsize=11)
    axes.xaxis.tick_top()
    axes.set_yticks([r * (CELL_IMAGE_PIXELS + ROW_GAP) + CELL_IMAGE_PIXELS / 2 for r in range(len(rows))])
    axes.set_yticklabels([label for label, _ in rows], fontsize=11)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    transfer = any(root.endswith("-style") for _, root in rows)
    figure.suptitle(f"{benchmark}: the first {IMAGES_PER_CELL} images of each class by file name, each shown at "
                    f"{CELL_IMAGE_PIXELS}x{CELL_IMAGE_PIXELS} px (nearest neighbour)"
                    + ("\ntransfer rows: content, style and output of one sample stacked; the column is the "
                       "content's class (the style's class is drawn independently)" if transfer else ""), fontsize=12,
                    y=1 - 6 / figure_height, va="top", linespacing=1.2)
    path = os.path.join(out_dir, "samples.png")
    save_lossless_png(figure, path)
    plt.close(figure)
    return path


def ordered_arms(arm_keys):
    """Known arms in the paper's order, then unknown ones alphabetically."""
    known = [arm for arm in ARM_ORDER if arm in arm_keys]
    return known + sorted(arm for arm in arm_keys if arm not in ARM_ORDER)


def arm_colours(arms):
    """One colour per arm, the same in results.png and curves.png and in every run: known arms keep theirs (the
    oracle near black, apart from chance's grey), unknown ones take the rest of matplotlib's tab10 in turn."""
    palette = plt.get_cmap("tab10").colors
    fixed = dict(zip(ARM_ORDER[:-1], palette[:7]), oracle="0.1")
    spare = [palette[8], palette[9], palette[7]]
    unknown = [arm for arm in arms if arm not in fixed]
    return {arm: fixed.get(arm) or spare[unknown.index(arm) % len(spare)] for arm in arms}


def number(value):
    """A float from a JSON value, or None if it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        return None
    return float(value)


def arm_entry(results, arm):
    """results.json's arms[arm], or {} where it is missing or not an object."""
    entry = results.get("arms", {}).get(arm)
    return entry if isinstance(entry, dict) else {}


def arm_runs(results, arm):
    """results.json's runs[arm] records that are objects ([] where there are none)."""
    runs = results.get("runs", {}).get(arm)
    return [run for run in runs if isinstance(run, dict)] if isinstance(runs, list) else []


def metric_summary(results, arm, metric):
    """(mean, std, per-seed values) of one metric for one arm: the mean and std from arms[arm] where present,
    else computed from the runs (sample std, as the main job computes it); None where there is nothing."""
    values = [number(run.get(metric)) for run in arm_runs(results, arm)]
    values = [value for value in values if value is not None]
    summary = arm_entry(results, arm).get(metric)
    mean = number(summary.get("mean")) if isinstance(summary, dict) else None
    std = number(summary.get("std")) if isinstance(summary, dict) else None
    if mean is None and values:
        mean = float(np.mean(values))
    if std is None and len(values) > 1:
        std = float(np.std(values, ddof=1))
    if mean is None:
        return None
    return mean, std, values


def seed_count_text(results, arms):
    """'3 seeds', or '1-3 seeds' where the arms differ (arms that list neither seeds nor runs are not counted)."""
    counts = set()
    for arm in arms:
        seeds = arm_entry(results, arm).get("seeds")
        counts.add(len(seeds) if isinstance(seeds, list) else len(arm_runs(results, arm)))
    counts = (counts - {0}) or {0}
    low, high = min(counts), max(counts)
    unit = "seed" if high == 1 else "seeds"
    return f"{low} {unit}" if low == high else f"{low}-{high} {unit}"


def display_names(results, arms):
    """Arm display names from results.json's "names" map where it has them, else the arm keys."""
    names = results.get("names")
    names = names if isinstance(names, dict) else {}
    return {arm: str(names.get(arm, arm)) for arm in arms}


def short_name(name):
    """A display name without its parenthesised detail ("GenInt + transfer (+ interventions, ...)" -> "GenInt +
    transfer"): curves.png's legend sits beside the plot, and full names there squeezed the plot and cut its title."""
    return name.split(" (")[0] or name


def draw_metric_panel(axes, results, arms, names, colours, metric, label, title):
    """Bars of one metric's mean per arm, std as error bars, seeds as dots; ERM's and the oracle's means and chance
    as horizontal lines."""
    tops = [CHANCE * 100]
    for x, arm in enumerate(arms):
        summary = metric_summary(results, arm, metric)
        if summary is None:
            axes.text(x, 1, "no data", ha="center", va="bottom", fontsize=9, color="0.4", rotation=90)
            continue
        mean, std, values = summary
        axes.bar(x, mean * 100, width=0.7, color=colours[arm], alpha=0.75, zorder=2)
        if std is not None:
            axes.errorbar(x, mean * 100, yerr=std * 100, color="black", capsize=5, linewidth=1.2, zorder=3)
        offsets = np.linspace(-0.18, 0.18, len(values)) if len(values) > 1 else [0.0] * len(values)
        axes.scatter([x + offset for offset in offsets], [value * 100 for value in values], s=22, color="white",
                     edgecolors="black", linewidths=0.9, zorder=4)
        top = max([mean + (std or 0.0)] + values) * 100
        axes.annotate(f"{mean * 100:.1f}", (x, top), xytext=(0, 4), textcoords="offset points", ha="center",
                      va="bottom", fontsize=10, zorder=5)
        tops.append(top)
    for arm, style in (("erm", "--"), ("oracle", "-.")):
        summary = metric_summary(results, arm, metric) if arm in arms else None
        if summary is not None:
            axes.axhline(summary[0] * 100, color=colours[arm], linestyle=style, linewidth=1.4, zorder=1)
    axes.axhline(CHANCE * 100, color="0.35", linestyle=":", linewidth=1.4, zorder=1)
    axes.set_xticks(range(len(arms)))
    # Display names can be long ("GAN augmentation (+ observational)"): slanted, so that neighbours never overlap.
    axes.set_xticklabels([names[arm] for arm in arms], fontsize=9.5, rotation=30, ha="right",
                         rotation_mode="anchor")
    axes.set_xlim(-0.6, len(arms) - 0.4)
    axes.set_ylim(0, max(tops) * 1.12 + 3)
    axes.set_ylabel(f"{label} (%)", fontsize=11)
    axes.set_title(title, fontsize=12)
    axes.grid(axis="y", color="0.9", zorder=0)
    axes.set_axisbelow(True)


def results_legend(figure, colours, arms):
    """One legend for both panels: what bars, dots and lines mean."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Patch(color="0.6", label="mean over seeds (bar), std (error bar)"),
               Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="black",
                      label="one seed")]
    if "erm" in arms:
        handles.append(Line2D([], [], color=colours["erm"], linestyle="--", label="ERM's mean"))
    if "oracle" in arms:
        handles.append(Line2D([], [], color=colours["oracle"], linestyle="-.", label="oracle's mean"))
    handles.append(Line2D([], [], color="0.35", linestyle=":", label=f"chance ({CHANCE * 100:.0f} %)"))
    figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.95), ncol=len(handles), fontsize=10,
                  frameon=False)


def draw_results(out_dir, results, benchmark):
    """results.png: OOD top-1 (left) and IID top-1 (right) per arm."""
    arm_keys = set(results.get("arms", {})) | set(results.get("runs", {}))
    if not arm_keys:
        say("results.json has no arms: results.png not written")
        return None
    arms = ordered_arms(arm_keys)
    colours, names = arm_colours(arms), display_names(results, arms)
    figure, (ood_axes, iid_axes) = plt.subplots(1, 2, figsize=RESULTS_SIZE_INCHES, dpi=DPI)
    draw_metric_panel(ood_axes, results, arms, names, colours, "ood_top1", "OOD top-1",
                      "OOD test: nuisances independent of the label")
    draw_metric_panel(iid_axes, results, arms, names, colours, "iid_top1", "IID top-1",
                      "IID test: nuisances confounded as in training")
    figure.suptitle(f"{benchmark}: top-1 per arm, mean ± std over {seed_count_text(results, arms)}", fontsize=14,
                    y=0.985)
    results_legend(figure, colours, arms)
    figure.tight_layout(rect=(0, 0, 1, 0.93))
    path = os.path.join(out_dir, "results.png")
    figure.savefig(path, dpi=DPI, metadata=PNG_METADATA)
    plt.close(figure)
    return path


def curves_from_results(results):
    """{arm: [(epochs, top-1 fractions)]} from runs[arm][i]["val_curve"] (after epochs 1..N)."""
    curves = {}
    for arm in results.get("runs", {}):
        for run in arm_runs(results, arm):
            curve = run.get("val_curve")
            values = [number(value) for value in curve] if isinstance(curve, list) else []
            if values and None not in values:
                curves.setdefault(arm, []).append((list(range(1, len(values) + 1)), values))
    return curves


def read_validation_log(path):
    """(epochs, top-1 fractions) from a train-log.jsonl's "event": "validation" lines, by epoch. genint-train
    counts epochs from 0 (its progress lines say epoch 0 during the first one): a log whose validations start at
    epoch 0 is shifted by one, so that x is the number of epochs trained, as for val_curve."""
    points = {}
    with open(path) as log:
        for line in log:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by an interrupted run
            if isinstance(record, dict) and record.get("event") == "validation":
                epoch, top1 = number(record.get("epoch")), number(record.get("val_top1"))
                if epoch is not None and top1 is not None:
                    points[int(epoch)] = top1
    epochs = sorted(points)
    shift = 1 if epochs and epochs[0] == 0 else 0
    return [epoch + shift for epoch in epochs], [points[epoch] for epoch in epochs]


def curves_from_logs(out_dir):
    """{arm: [(epochs, top-1 fractions)]} from OUT_DIR/arms/<arm>-seed<k>/train/train-log.jsonl."""
    curves, arms_dir = {}, os.path.join(out_dir, "arms")
    if not os.path.isdir(arms_dir):
        return curves
    for run_dir in sorted(os.listdir(arms_dir)):
        match = re.fullmatch(r"(.+)-seed(\d+)", run_dir)
        log_path = os.path.join(arms_dir, run_dir, "train", "train-log.jsonl")
        if match and os.path.isfile(log_path):
            epochs, values = read_validation_log(log_path)
            if epochs:
                curves.setdefault(match.group(1), []).append((epochs, values))
    return curves


def mean_curve(runs):
    """(epochs, mean top-1 over the runs that reached each epoch)."""
    by_epoch = {}
    for epochs, values in runs:
        for epoch, value in zip(epochs, values):
            by_epoch.setdefault(epoch, []).append(value)
    epochs = sorted(by_epoch)
    return epochs, [float(np.mean(by_epoch[epoch])) for epoch in epochs]


def draw_curves(out_dir, results, benchmark):
    """curves.png: validation top-1 per epoch, one colour per arm, mean over seeds bold, single seeds thin."""
    curves, source = curves_from_results(results), "results.json val_curve"
    if not curves:
        curves, source = curves_from_logs(out_dir), "train-log.jsonl validation lines"
    if not curves:
        say("no validation curves (no run in results.json has a val_curve, no arms/*/train/train-log.jsonl has "
            "validation lines): curves.png not written")
        return None
    say(f"validation curves of {sum(len(runs) for runs in curves.values())} runs of {len(curves)} arms, "
        f"from {source}")
    arms = ordered_arms(set(results.get("arms", {})) | set(results.get("runs", {})) | set(curves))
    colours, names = arm_colours(arms), display_names(results, arms)
    figure, axes = plt.subplots(figsize=CURVES_SIZE_INCHES, dpi=DPI)
    for arm in (arm for arm in arms if arm in curves):
        for epochs, values in curves[arm]:
            axes.plot(epochs, [value * 100 for value in values], color=colours[arm], linewidth=0.8, alpha=0.35)
        epochs, means = mean_curve(curves[arm])
        axes.plot(epochs, [value * 100 for value in means], color=colours[arm], linewidth=2.2, marker="o",
                  markersize=4, label=f"{short_name(names[arm])} ({len(curves[arm])})")
    axes.axhline(CHANCE * 100, color="0.35", linestyle=":", linewidth=1.4, label=f"chance ({CHANCE * 100:.0f} %)")
    axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes.set_xlabel("epochs trained", fontsize=11)
    axes.set_ylabel("validation top-1 (%)", fontsize=11)
    axes.set_ylim(bottom=0)
    axes.grid(color="0.9")
    axes.legend(title="arm (seeds)", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9.5, frameon=False)
    axes.set_title(f"{benchmark}: validation top-1 per epoch\nbold: mean over seeds; thin: single seeds "
                   f"(from {source})", fontsize=12)
    figure.tight_layout()
    path = os.path.join(out_dir, "curves.png")
    figure.savefig(path, dpi=DPI, metadata=PNG_METADATA)
    plt.close(figure)
    return path


def read_results(out_dir):
    """results.json as a dict; a clear error if it is missing or unreadable."""
    path = os.path.join(out_dir, "results.json")
    try:
        with open(path) as file:
            results = json.load(file)
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror} (run tools/run-main-job first, or give its output folder)")
    except ValueError as error:
        fail(f"{path} is not valid JSON: {error}")
    if not isinstance(results, dict):
        fail(f"{path} holds a {type(results).__name__}, not the main job's results object")
    for key in ("arms", "runs"):
        if not isinstance(results.get(key, {}), dict):
            fail(f"{path}: \"{key}\" is a {type(results[key]).__name__}, not an object keyed by arm")
    return results


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) != 2 else sys.stdout)
        return 0 if len(argv) == 2 else 2
    out_dir = argv[1]
    if not os.path.isdir(out_dir):
        fail(f"{out_dir} is not a folder (give tools/run-main-job's output folder, e.g. build/main-job)")
    results = read_results(out_dir)
    benchmark = benchmark_name(out_dir)
    plt.rcParams.update({"font.size": 10})
    for draw in (draw_samples, draw_results, draw_curves):
        path = draw(out_dir, benchmark) if draw is draw_samples else draw(out_dir, results, benchmark)
        if path is not None:
            say(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
