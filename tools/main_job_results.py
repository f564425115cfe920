#!/usr/bin/env python3
# The main job's results table (tools/run-main-job step 7): reads every arm's evaluations, validation curves and the
# nuisance read-out from OUT_DIR, and writes OUT_DIR/results.md and OUT_DIR/results.json.
"""usage: main_job_results.py OUT_DIR SECONDS_AFTER_BUILD SETTINGS_JSON

SETTINGS_JSON: {"arch", "epochs", "train_per_class", "budget", "recipe", "transfer_arms"} as tools/run-main-job
trained. OUT_DIR/arms holds one folder per run, <arm>-seed<k>, with eval-iid.json, eval-ood.json, eval-corrupted.json and train/train-log.jsonl;
OUT_DIR/readout the nuisance read-out's dependence-*.json. Standard library only.
"""
import glob
import json
import os
import statistics
import sys

from main_job_config import GENERATED_PER_BATCH, NATURAL_PER_BATCH

NAMES = {"erm": "ERM (natural only)", "mixup": "Mixup (α 0.4)", "autoaugment": "AutoAugment (ImageNet policy)",
         "gan_augmentation": "GAN augmentation (+ observational)", "genint": "GenInt (+ interventions)",
         "genint_transfer": "GenInt + transfer (+ interventions, + transferred)",
         "stylized": "Stylized (+ transferred, natural styles)",
         "oracle": "Oracle (unconfounded training split, ρ 0)"}
# Arms compared with GenInt and GenInt + transfer in the verdicts: the oracle is a reference, not a competitor.
BASELINES = ("erm", "mixup", "autoaugment", "gan_augmentation", "stylized")
# The methods judged, each against the baselines present (and GenInt + transfer against GenInt too).
METHODS = {"genint": BASELINES, "genint_transfer": BASELINES + ("genint",)}
TRANSFER_ARMS = ("genint_transfer", "stylized")
READOUT_LABELS = {"natural-train": ("natural (train)", "ground truth"),
                  "natural-val": ("natural (val)", "ground truth"),
                  "natural-val-readout": ("natural (val)", "read-out"),
                  "observational-readout": ("observational", "read-out"),
                  "interventional-readout": ("interventional", "read-out"),
                  "transferred-readout": ("transferred (generated styles)", "read-out"),
                  "transferred-style-class-readout": ("transferred, against the STYLE's class", "read-out"),
                  "stylized-readout": ("stylized (natural styles)", "read-out")}


def load(path):
    with open(path) as file:
        return json.load(file)


def spread(values):
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def val_curve(run):
    """Validation top-1 after epochs 1..N from genint-train's validation lines (one per epoch)."""
    curve = {}
    with open(f"{run}/train/train-log.jsonl") as log:
        for line in log:
            entry = json.loads(line)
            if entry.get("event") == "validation":
                curve[int(entry["epoch"])] = entry["val_top1"]
    return [curve[epoch] for epoch in sorted(curve)]


def read_runs(out):
    runs = {}
    for run in sorted(glob.glob(f"{out}/arms/*-seed*")):
        arm, seed = os.path.basename(run).rsplit("-seed", 1)
        corrupted = load(f"{run}/eval-corrupted.json")["imagenet_c"]["corruptions"]
        runs.setdefault(arm, []).append({
            "seed": int(seed),
            "iid_top1": load(f"{run}/eval-iid.json")["scores"]["all_logits"]["top1"],
            "ood_top1": load(f"{run}/eval-ood.json")["scores"]["all_logits"]["top1"],
            "val_curve": val_curve(run),
            "corruption_mean_error": {name: c["mean_error"] for name, c in corrupted.items()}})
    if "erm" not in runs:
        sys.exit(f"{out}/arms has no ERM run: the table is relative to ERM")
    # mCE relative to ERM: CE_c = error_c / ERM's error_c (mean over ERM seeds), averaged over corruptions.
    erm_error = {name: statistics.mean(r["corruption_mean_error"][name] for r in runs["erm"])
                 for name in runs["erm"][0]["corruption_mean_error"]}
    for arm_runs in runs.values():
        for r in arm_runs:
            r["mce_relative_to_erm"] = statistics.mean(r["corruption_mean_error"][n] / erm_error[n]
                                                       for n in erm_error)
    return runs


def summarise(runs):
    summary = {}
    for arm, arm_runs in runs.items():
        summary[arm] = {key: spread([r[key] for r in arm_runs])
                        for key in ("iid_top1", "ood_top1", "mce_relative_to_erm")}
        summary[arm]["seeds"] = [r["seed"] for r in arm_runs]
        finals = [r["val_curve"][-1] for r in arm_runs if r["val_curve"]]
        if finals:
            summary[arm]["final_val_top1"] = spread(finals)
    if "oracle" in summary:
        # Share of the ERM -> oracle OOD gap an arm closes: (arm - ERM) / (oracle - ERM), on the means.
        erm, oracle = summary["erm"]["ood_top1"]["mean"], summary["oracle"]["ood_top1"]["mean"]
        for arm in summary:
            gap = oracle - erm
            summary[arm]["ood_gap_closed"] = (summary[arm]["ood_top1"]["mean"] - erm) / gap if gap > 0 else None
    return summary


def percent(s, scale=100, unit=" %"):
    return f"{scale * s['mean']:.1f} ± {scale * s['std']:.1f}{unit}"


def arm_table(summary, settings, transferred_per_batch):
    generated = "GAN augmentation and GenInt" if "genint" in summary else "no arm"
    transferred = (f" +{transferred_per_batch} transferred on the fly for GenInt + transfer and Stylized" if
                   any(arm in summary for arm in TRANSFER_ARMS) else "")
    lines = [f"Fashion-scenes (32x32, 10 classes, rho 0.9), {settings['arch']}, {settings['epochs']} epochs of "
             f"{settings['train_per_class']} images per class, batch {NATURAL_PER_BATCH} (+{GENERATED_PER_BATCH} "
             f"generated on the fly for {generated};{transferred});",
             f"genint-train {settings['recipe']}; mean ± std over seeds "
             + ", ".join(str(s) for s in summary["erm"]["seeds"]) + ". Chance: 10 %.", "",
             "| method | IID top-1 | OOD top-1 | share of the ERM → oracle OOD gap closed | final val top-1 "
             "| mCE relative to ERM |", "|---|---:|---:|---:|---:|---:|"]
    for arm in NAMES:
        if arm not in summary:
            reason = ("no demo generator" if arm in ("gan_augmentation", "genint") else
                      "GENINT_MAIN_JOB_TRANSFER=0" if arm in TRANSFER_ARMS
                      and settings.get("transfer_arms") == 0 else
                      "no transfer strategy" if arm in TRANSFER_ARMS else f"{settings['budget']} budget")
            lines.append(f"| {NAMES[arm]} | not run: {reason} | | | | |")
            continue
        s = summary[arm]
        closed = s.get("ood_gap_closed")
        closed_text = "" if closed is None else f"{100 * closed:+.0f} %"
        val_text = percent(s["final_val_top1"]) if "final_val_top1" in s else ""
        lines.append(f"| {NAMES[arm]} | {percent(s['iid_top1'])} | {percent(s['ood_top1'])} | {closed_text} | "
                     f"{val_text} | {percent(s['mce_relative_to_erm'], 1, '')} |")
    if "oracle" in summary:
        lines += ["", "The oracle's validation split is the confounded one, as every arm's: its val top-1 is not its "
                  "own distribution's. Its corrupted images are the confounded test split's."]
    return lines


def dependence_table(dependence):
    lines = ["", "Nuisance-label dependence of each training distribution: accuracy of the majority label per cell of",
             "30-degree hue x angle bins, two-fold cross-validated (as fashion-scenes' manifest `confound`).", "",
             "| distribution | nuisances from | images | hue+angle | hue | angle | chance |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for key, (distribution, source) in READOUT_LABELS.items():
        if key in dependence:
            d, c = dependence[key], dependence[key]["confound"]
            lines.append(f"| {distribution} | {source} | {d['samples']} | {100 * c['hue_and_angle']:.1f} % | "
                         f"{100 * c['hue_only']:.1f} % | {100 * c['angle_only']:.1f} % | {100 * c['chance']:.1f} % |")
    return lines


def ood_verdict(summary, method, other):
    m, o = summary[method]["ood_top1"], summary[other]["ood_top1"]
    gap, noise = m["mean"] - o["mean"], m["std"] + o["std"]
    short = NAMES[method].split(" (")[0]
    return (f"{short} - {NAMES[other]} on OOD: {100 * gap:+.1f} points; the seeds' spread (sum of stds) is "
            f"{100 * noise:.1f}: " + (f"{short} is better by more than the spread." if gap > noise
                                      else f"{short} is NOT better by more than the seed spread."))


def dependence_verdict(dependence, key, what):
    """Whether a distribution's read-out nuisances predict the label less than the natural val images' do."""
    if key not in dependence or "natural-val-readout" not in dependence:
        return []
    i = dependence[key]["confound"]["hue_and_angle"]
    n = dependence["natural-val-readout"]["confound"]["hue_and_angle"]
    h, nh = dependence[key]["confound"]["hue_only"], dependence["natural-val-readout"]["confound"]["hue_only"]
    return [f"{what}: the nuisances predict the label {'less' if i < n else 'NOT less'} than natural data's "
            f"(read-out on both: hue+angle {100 * i:.1f} % against {100 * n:.1f} %; hue alone {100 * h:.1f} % against "
            f"{100 * nh:.1f} %)."]


def verdicts(summary, dependence, out):
    said = []
    for method, others in METHODS.items():
        if method in summary:
            said += [ood_verdict(summary, method, other) for other in others if other in summary]
            if summary[method].get("ood_gap_closed") is not None:
                said.append(f"{NAMES[method].split(' (')[0]} closes {100 * summary[method]['ood_gap_closed']:+.0f} % "
                            f"of the ERM → oracle OOD gap (on the means).")
    said += dependence_verdict(dependence, "interventional-readout", "Interventional data")
    said += dependence_verdict(dependence, "transferred-readout", "Transferred data (generated styles)")
    said += dependence_verdict(dependence, "stylized-readout", "Stylized data (natural styles)")
    if "transferred-style-class-readout" in dependence:
        c = dependence["transferred-style-class-readout"]["confound"]
        said.append(f"On transferred data the read-out's hue predicts the generated style's class at "
                    f"{100 * c['hue_only']:.1f} % (chance {100 * c['chance']:.1f} %): "
                    + ("the hue it reads moved with the style." if c["hue_only"] > 2 * c["chance"] else
                       "the read-out barely reads the style's hue there, so a low dependence says little."))
    if "oracle" in summary:
        e, o = summary["erm"]["ood_top1"], summary["oracle"]["ood_top1"]
        said.append(f"Room for a method: the oracle's OOD top-1 is {100 * (o['mean'] - e['mean']):+.1f} points from "
                    f"ERM's ({100 * o['mean']:.1f} % against {100 * e['mean']:.1f} %).")
    if os.path.exists(f"{out}/strategy-warning"):
        with open(f"{out}/strategy-warning") as file:
            said += [f"WARNING: {line}" for line in file.read().splitlines()]
    return said


def main(arguments):
    if len(arguments) != 3:
        sys.exit(__doc__)
    out, seconds, settings = arguments[0], int(arguments[1]), json.loads(arguments[2])
    runs = read_runs(out)
    summary = summarise(runs)
    dependence = {os.path.basename(path)[len("dependence-"):-len(".json")]: load(path)
                  for path in sorted(glob.glob(f"{out}/readout/dependence-*.json"))}
    said = verdicts(summary, dependence, out)
    # The transferred share is the strategy's (tools/choose-intervention-strategy --transfer-only), as run-main-job
    # wrote it for the transfer arms' loader configs.
    keys_path = f"{out}/transferred-keys.json"
    transferred_per_batch = load(keys_path)["count"] if os.path.exists(keys_path) else None
    lines = arm_table(summary, settings, transferred_per_batch) + dependence_table(dependence)
    lines += [""] + said + ["", f"Main job after the build: {seconds} s up to this table ({settings['budget']} budget)."]
    text = "\n".join(lines) + "\n"
    with open(f"{out}/results.md", "w") as file:
        file.write(text)
    with open(f"{out}/results.json", "w") as file:
        json.dump({"settings": settings, "names": {arm: NAMES.get(arm, arm) for arm in summary}, "arms": summary,
                   "runs": runs, "dependence": dependence, "verdicts": said, "seconds_after_build": seconds}, file,
                  indent=1)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
