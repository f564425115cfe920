#!/usr/bin/python3
# Tests tools/generator-report: its Fréchet distance and nuisance coverage against answers known in closed form, and
# the whole tool on a small fake main-job folder (planted read-outs, copied image sets, a random ResNet-20).
import csv
import importlib.machinery
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SKIP = 77  # CTest's SKIP_RETURN_CODE for this test (tests/tools/CMakeLists.txt)
try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError as error:
    print(f"skipped: {error} (install python3-numpy python3-torch python3-pil: tools/install-dependencies)")
    sys.exit(SKIP)

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
SCRIPT = os.path.join(TOOLS, "generator-report")
sys.path.insert(0, TOOLS)
import generator_report_stats as stats  # noqa: E402  (after the path)
from cifar_resnet import CifarResNet  # noqa: E402
from convert_torchvision import safetensors_bytes  # noqa: E402  (genint's own safetensors layout)


class FrechetDistanceTest(unittest.TestCase):
    def test_diagonal_gaussians(self):
        # Commuting covariances: FD = |Δμ|² + Σ (√a − √b)².
        mean_a, mean_b = np.array([0.0, 1.0, -2.0]), np.array([3.0, 1.0, 2.0])
        var_a, var_b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
        expected = 9 + 0 + 16 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 0.5) ** 2
        got = stats.frechet_distance(mean_a, np.diag(var_a), mean_b, np.diag(var_b))
        self.assertAlmostEqual(got, expected, places=9)  # exact up to float64 round-off of a 3x3 eigh

    def test_non_commuting_covariances(self):
        # A = [[2,1],[1,2]], B = diag(1,4): AB has trace 10 and determinant det A · det B = 12, and for a 2x2 matrix
        # with non-negative eigenvalues tr √M = √(tr M + 2√det M). FD = tr A + tr B − 2 √(10 + 2√12).
        a, b = np.array([[2.0, 1.0], [1.0, 2.0]]), np.diag([1.0, 4.0])
        expected = 4 + 5 - 2 * math.sqrt(10 + 2 * math.sqrt(12))
        zero = np.zeros(2)
        self.assertAlmostEqual(stats.frechet_distance(zero, a, zero, b), expected, places=9)
        self.assertAlmostEqual(stats.frechet_distance(zero, b, zero, a), expected, places=9)  # symmetric

    def test_identity_against_any_covariance(self):
        # With A = I, tr √(AB) = tr √B: FD = d + tr B − 2 Σ √λ(B), for a random 16-d SPD B.
        generator = np.random.default_rng(3)
        root = generator.normal(size=(16, 16))
        b = root @ root.T / 16 + 0.1 * np.eye(16)
        expected = 16 + np.trace(b) - 2 * np.sqrt(np.linalg.eigvalsh(b)).sum()
        zero = np.zeros(16)
        self.assertAlmostEqual(stats.frechet_distance(zero, np.eye(16), zero, b), expected, places=8)
        self.assertAlmostEqual(stats.frechet_distance(zero, b, zero, b), 0.0, places=8)  # a distance to itself

    def test_singular_covariance(self):
        # Fewer samples than dimensions leave a rank-deficient covariance; the distance stays real and finite.
        generator = np.random.default_rng(5)
        few, many = generator.normal(size=(5, 8)), generator.normal(size=(400, 8))
        self.assertTrue(math.isfinite(stats.features_frechet_distance(few, many)))

    def test_sampled_gaussians_approach_the_closed_form(self):
        generator = np.random.default_rng(7)
        a, b = np.array([[2.0, 1.0], [1.0, 2.0]]), np.diag([1.0, 4.0])
        shift = np.array([1.0, -1.0])
        count = 200_000
        samples_a = generator.multivariate_normal(np.zeros(2), a, size=count)
        samples_b = generator.multivariate_normal(shift, b, size=count)
        expected = 2 + 4 + 5 - 2 * math.sqrt(10 + 2 * math.sqrt(12))
        # At 200 000 samples the fitted means and covariances err by about 0.005 each; 0.05 is ten times that.
        self.assertAlmostEqual(stats.features_frechet_distance(samples_a, samples_b), expected, delta=0.05)

    def test_against_pytorch_fids_formula(self):
        # pytorch-fid's calculate_frechet_distance takes scipy's sqrtm of the non-symmetric product; on 64-d features
        # of the report's counts (500 against 1500) both agree to float64 round-off of the 64x64 algebra.
        try:
            import scipy.linalg
        except ImportError:
            self.skipTest("scipy is not installed (python3-scipy); the closed-form tests still run")
        generator = np.random.default_rng(0)
        a = generator.normal(size=(500, 64)) @ generator.normal(size=(64, 64)) * 0.3
        b = generator.normal(size=(1500, 64)) @ generator.normal(size=(64, 64)) * 0.3 + 0.1
        (mean_a, cov_a), (mean_b, cov_b) = stats.gaussian_statistics(a), stats.gaussian_statistics(b)
        reference = (((mean_a - mean_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b)
                     - 2 * np.trace(scipy.linalg.sqrtm(cov_a @ cov_b).real))
        self.assertAlmostEqual(stats.frechet_distance(mean_a, cov_a, mean_b, cov_b), reference, delta=1e-8 * reference)

    def test_unbiased_covariance(self):
        features = np.array([[1.0, 0.0], [3.0, 2.0], [5.0, 1.0]])
        mean, covariance = stats.gaussian_statistics(features)
        np.testing.assert_allclose(mean, [3.0, 1.0])
        np.testing.assert_allclose(covariance, [[4.0, 1.0], [1.0, 1.0]])  # sums of products over n − 1 = 2


def load_tool():
    """tools/generator-report as a module (it has no .py suffix; main() runs only under __main__)."""
    loader = importlib.machinery.SourceFileLoader("generator_report_tool", SCRIPT)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


class PreservationShareTest(unittest.TestCase):
    def test_share_and_the_sets_own_binomial_interval(self):
        # set top-1 0.6 on 1500 images, val 0.85: 1.96 sqrt(0.24 / 1500) = 0.02479
        share, (low, high) = load_tool().preservation_share(0.6, 1500, 0.85)
        self.assertAlmostEqual(share, 0.7059, places=4)
        self.assertAlmostEqual(low, (0.6 - 0.02479) / 0.85, places=4)
        self.assertAlmostEqual(high, (0.6 + 0.02479) / 0.85, places=4)

    def test_clamped_and_undefined(self):
        tool = load_tool()
        self.assertEqual(tool.preservation_share(1.0, 10, 0.5), (2.0, [2.0, 2.0]))
        self.assertEqual(tool.preservation_share(0.0, 10, 0.5), (0.0, [0.0, 0.0]))
        self.assertEqual(tool.preservation_share(0.5, 10, 0.0), (None, None))


class CoverageTest(unittest.TestCase):
    def test_bins_match_confound_measure(self):
        hues = [0.0, 29.999, 30.0, 359.999, 360.0, -0.001, 765.0]
        self.assertEqual(stats.hue_bin(hues).tolist(), [0, 0, 1, 11, 0, 11, 1])
        angles = [-180.0, -150.001, -150.0, 0.0, 179.999, 180.0, -181.0]
        self.assertEqual(stats.angle_bin(angles).tolist(), [0, 0, 1, 6, 11, 0, 11])

    def test_planted_coverage(self):
        bins, labels = [], []

        def plant(label, bin_counts):
            for bin_index, count in bin_counts.items():
                bins.extend([bin_index] * count)
                labels.extend([label] * count)

        plant(0, {3: 40})  # one bin: 1 covered, entropy 0
        plant(1, {index: 5 for index in range(12)})  # uniform: 12 covered, log2 12
        plant(2, {0: 25, 1: 25, 2: 25, 3: 25, 7: 2})  # 2 of 102 is under 5 %: 4 covered
        plant(3, {5: 57, 6: 3})  # 3 of 60 is exactly 5 %: counted
        # class 4 has no samples
        coverage = stats.class_coverage(bins, labels, 5, 0.05)
        self.assertEqual([entry["bins_at_least_share"] for entry in coverage], [1, 12, 4, 2, 0])
        self.assertEqual([entry["samples"] for entry in coverage], [40, 60, 102, 60, 0])
        self.assertEqual(coverage[2]["counts"], [25, 25, 25, 25, 0, 0, 0, 2, 0, 0, 0, 0])
        shares_2 = np.array([25, 25, 25, 25, 2]) / 102
        shares_3 = np.array([57, 3]) / 60
        expected_entropy = [0.0, math.log2(12), -(shares_2 * np.log2(shares_2)).sum(),
                            -(shares_3 * np.log2(shares_3)).sum(), 0.0]
        for entry, expected in zip(coverage, expected_entropy):
            self.assertAlmostEqual(entry["entropy_bits"], expected, places=4)  # stored rounded to 4 places
        summary = stats.coverage_summary(coverage)
        self.assertEqual(summary["classes"], 4)
        self.assertAlmostEqual(summary["mean_bins_at_least_share"], (1 + 12 + 4 + 2) / 4, places=3)

    def test_rejects_bins_out_of_range(self):
        with self.assertRaises(ValueError):
            stats.class_coverage([12], [0], 1, 0.05)

    def test_stratified_subset(self):
        labels = np.repeat(np.arange(3), [10, 4, 7])
        subset = stats.stratified_subset(labels, 5, 1)
        self.assertEqual(np.bincount(labels[subset]).tolist(), [5, 4, 5])
        self.assertEqual(subset.tolist(), sorted(set(subset.tolist())))
        self.assertEqual(subset.tolist(), stats.stratified_subset(labels, 5, 1).tolist())  # seeded


CLASSES = ["0_a", "1_b", "2_c"]


def write_tree(root, images_per_class, seed, stem, classes=CLASSES):
    """Random 32x32 PNGs (lossless, so the tool reads exactly these pixels) in class folders."""
    generator = np.random.default_rng(seed)
    for label, name in enumerate(classes):
        os.makedirs(os.path.join(root, name))
        for index in range(images_per_class):
            pixels = generator.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
            pixels[:, :, label % 3] //= 4  # a class-dependent tint, so the classes differ
            Image.fromarray(pixels).save(os.path.join(root, name, f"{stem}_{index:05d}.png"))


def planted_bin(readout_set, nuisance, label, index):
    """hue: image i of any class in bin i (the truth), but natural val's image 0 in bin 11, one bin off across the
    wrap; angle: class c in bin c (the truth)."""
    if nuisance == "angle":
        return label
    return 11 if readout_set == "natural-val" and index == 0 else index


def write_file(path, content):
    with open(path, "wb" if isinstance(content, bytes) else "w") as file:
        file.write(content)


def read_file(path, mode="r"):
    with open(path, mode) as file:
        return file.read()


def write_json(path, value):
    write_file(path, json.dumps(value))


def read_json(path):
    return json.loads(read_file(path))


def write_records(job, split, count, classes):
    """A fashion-scenes CSV for write_tree's images: image i's hue 30 i + 1 (bin i), class c's angle -165 + 30 c
    (bin c)."""
    rows = [[f"{split}/{name}/{split}_{index:05d}.png", label, name, 30.0 * index + 1, 15.0 - 180 + label * 30]
            for label, name in enumerate(classes) for index in range(count)]
    write_csv(os.path.join(job, "scenes", f"{split}.csv"), ["file", "label", "class", "hue", "angle"], rows)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


class WholeToolTest(unittest.TestCase):
    """A fake finished main job: observational = a copy of natural val (FD 0, preservation 1), interventional = a
    copy of natural train (the same FD as natural-train (all)); read-outs planted with known coverage."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="generator-report-test-")
        job = self.job = os.path.join(self.folder, "job")
        write_tree(os.path.join(job, "scenes", "train"), 8, 1, "train")
        write_tree(os.path.join(job, "scenes", "val"), 6, 2, "val")
        shutil.copytree(os.path.join(job, "scenes", "val"), os.path.join(job, "observational"))
        shutil.copytree(os.path.join(job, "scenes", "train"), os.path.join(job, "interventional"))
        for split, count in (("train", 8), ("val", 6)):
            write_records(job, split, count, CLASSES)
        os.makedirs(os.path.join(job, "readout"))
        for nuisance in ("hue", "angle"):  # the read-out models are only hashed when the job's samples are read
            write_file(os.path.join(job, "readout", f"{nuisance}-model.safetensors"), b"a read-out, only hashed")
        planted = {"natural-val": ("val", 6), "observational": ("val", 6), "interventional": ("train", 8)}
        for name, (stem, count) in planted.items():
            for nuisance in ("hue", "angle"):
                rows = [[f"{cls}/{stem}_{index:05d}.png", label, planted_bin(name, nuisance, label, index), 0.9, 0.9]
                        for label, cls in enumerate(CLASSES) for index in range(count)]
                write_csv(os.path.join(job, "readout", f"{name}-{nuisance}.csv"),
                          ["file", "label", "prediction", "prediction_probability", "label_probability"], rows)
        torch.manual_seed(0)
        self.model = CifarResNet("resnet20", len(CLASSES)).eval()
        with torch.no_grad():  # non-trivial batch-norm statistics, so a mislaid running stat changes the outputs
            for module in self.model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.running_mean.uniform_(-0.1, 0.1)
                    module.running_var.uniform_(0.5, 1.5)
        train = os.path.join(job, "arms", "erm-seed1", "train")
        os.makedirs(os.path.join(train, "checkpoints", "step-9"))
        write_file(os.path.join(train, "latest-checkpoint"), "step-9\n")
        write_file(os.path.join(train, "checkpoints", "step-9", "model.safetensors"),
                   safetensors_bytes(self.model.state_dict(), {"architecture": "resnet20", "num_classes": 3}))
        write_file(os.path.join(train, "train-log.jsonl"), '{"event": "validation", "epoch": 1, "val_top1": 0.5}\n')
        self.generator = os.path.join(self.folder, "generator.safetensors")
        write_file(self.generator, b"not a real generator, only hashed")
        generator_hash = stats_sha256(self.generator)
        keys = {"observational": {"space": "observational", "truncation": 1.0},
                "interventional": {"space": "activation", "truncation": 1.0, "step": 12.0}}
        self.strategy = os.path.join(self.folder, "strategy.json")
        write_json(self.strategy,
                   {arm: {"keys": value} for arm, value in keys.items()} | {"generator_sha256": generator_hash})
        for arm, value in keys.items():
            write_json(os.path.join(job, f"{arm}-keys.json"), dict(value, generator=self.generator))

    def tearDown(self):
        shutil.rmtree(self.folder)

    def run_tool(self, *extra):
        out = os.path.join(self.folder, "report.json")
        result = subprocess.run([sys.executable, SCRIPT, self.job, "--generator", self.generator, "--strategy",
                                 self.strategy, "--json-out", out, "--markdown-out", out + ".md", *extra],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        return read_json(out), read_file(out + ".md")

    def test_report(self):
        report, markdown = self.run_tool()
        self.assertEqual(report["warnings"], [])
        distances = report["frechet"]["distances"]
        self.assertAlmostEqual(distances["observational"]["fd"], 0.0, places=3)  # the same images as val
        self.assertEqual(distances["interventional"]["fd"], distances["natural-train (all)"]["fd"])
        self.assertGreater(distances["interventional"]["fd"], 0.0)
        self.assertEqual(distances["natural-train (subset, floor)"]["samples"], 18)  # the smaller generated set's count
        preservation = report["preservation"]
        self.assertEqual(preservation["observational"]["preservation"], 1.0)
        self.assertEqual(preservation["observational"]["samples"], 18)
        for name in ("observational", "interventional"):  # each share inside its interval (the formula: below)
            low, high = preservation[name]["preservation_interval_95"]
            self.assertLessEqual(low, preservation[name]["preservation"])
            self.assertGreaterEqual(high, preservation[name]["preservation"])
        self.assertEqual(report["classifier_check"]["python_val_top1"], preservation["natural-val"]["top1"])
        # The rebuild's predictions are those of the model that was saved: the safetensors round trip is exact.
        files = sorted(os.path.join(root, name) for root, _, names in os.walk(os.path.join(self.job, "scenes", "val"))
                       for name in names)
        import generator_report_io as report_io
        images = torch.from_numpy(report_io.load_images(files))
        labels = np.repeat(np.arange(3), 6)
        with torch.no_grad():
            expected_top1 = float((self.model(images).argmax(1).numpy() == labels).mean())
        self.assertAlmostEqual(preservation["natural-val"]["top1"], expected_top1, places=4)
        coverage = report["coverage"]["sets"]
        val_hue = coverage["natural-val (read-out)"]["hue"]["per_class"]
        self.assertEqual([entry["bins_at_least_share"] for entry in val_hue], [6, 6, 6])
        self.assertAlmostEqual(val_hue[0]["entropy_bits"], math.log2(6), places=4)
        self.assertEqual(coverage["natural-val (read-out)"]["angle"]["summary"]["mean_entropy_bits"], 0.0)
        self.assertEqual(coverage["interventional (read-out)"]["hue"]["per_class"][2]["counts"], [1] * 8 + [0] * 4)
        truth = coverage["natural-train (ground truth)"]
        self.assertEqual(truth["hue"]["per_class"][1]["counts"], [1] * 8 + [0] * 4)  # hue 30 i + 1: bin i
        self.assertEqual(truth["angle"]["per_class"][2]["counts"][2], 8)  # angle −165 + 60: bin 2
        accuracy = report["coverage"]["readout_accuracy_on_natural_val"]
        self.assertEqual(accuracy["hue"]["exact"], round(15 / 18, 4))  # image 0 of each class is one bin off
        self.assertEqual(accuracy["hue"]["within_one_bin"], 1.0)  # bins 11 and 0 are neighbours
        self.assertEqual(accuracy["angle"]["exact"], 1.0)  # class c's angle −165 + 30 c is in bin c
        self.assertIn("## 2. Fréchet distance", markdown)

    def test_classifier_run_replaces_the_arms_model(self):
        """--classifier-run reads another genint-train folder's final model: other weights, other figures, and the
        inputs name that folder, not the arm."""
        arm_report, _ = self.run_tool()
        run = os.path.join(self.folder, "longer-erm")
        os.makedirs(os.path.join(run, "checkpoints", "step-30"))
        write_file(os.path.join(run, "latest-checkpoint"), "step-30\n")
        torch.manual_seed(1)
        other = CifarResNet("resnet20", len(CLASSES)).eval()
        write_file(os.path.join(run, "checkpoints", "step-30", "model.safetensors"),
                   safetensors_bytes(other.state_dict(), {"architecture": "resnet20", "num_classes": 3}))
        report, markdown = self.run_tool("--classifier-run", run)
        self.assertEqual(report["inputs"]["classifier"]["run"], run)
        self.assertNotIn("arm", report["inputs"]["classifier"])
        self.assertEqual(report["inputs"]["classifier"]["sha256"],
                         stats_sha256(os.path.join(run, "checkpoints", "step-30", "model.safetensors")))
        self.assertNotEqual(report["frechet"]["distances"]["interventional"]["fd"],
                            arm_report["frechet"]["distances"]["interventional"]["fd"])
        self.assertIsNone(report["classifier_check"]["genint_train_logged_val_top1"])  # this run has no log
        self.assertIn("--classifier-run", markdown)

    def test_classifier_run_without_a_finished_run_is_an_error(self):
        out = os.path.join(self.folder, "report.json")
        result = subprocess.run([sys.executable, SCRIPT, self.job, "--generator", self.generator, "--strategy",
                                 self.strategy, "--json-out", out, "--classifier-run", self.folder],
                                capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("latest-checkpoint is missing", result.stderr)

    def test_warns_when_samples_came_from_other_keys(self):
        keys_path = os.path.join(self.job, "interventional-keys.json")
        write_json(keys_path, dict(read_json(keys_path), step=6.0))
        report, _ = self.run_tool()
        self.assertTrue(any("step=6.0" in warning for warning in report["warnings"]), report["warnings"])


REPO = os.path.dirname(os.path.abspath(TOOLS))
BUILD = os.environ.get("GENINT_BUILD_DIR", os.path.join(REPO, "build"))
BINARIES = [os.path.join(BUILD, "gan", "cli", "genint-gan"), os.path.join(BUILD, "examples", "evaluator", "genint-eval")]


@unittest.skipUnless(all(os.access(binary, os.X_OK) for binary in BINARIES),
                     f"genint-gan and genint-eval are not built in {BUILD} (GENINT_BUILD_DIR)")
class ResampleTest(unittest.TestCase):
    """--resample with the project's binaries: the demo generator and strategy, random read-out and ERM models."""

    def test_resample(self):
        folder = tempfile.mkdtemp(prefix="generator-report-resample-")
        self.addCleanup(shutil.rmtree, folder)
        job = os.path.join(folder, "job")
        classes = [f"{label}_class{label}" for label in range(10)]  # the demo generator's 10 classes
        for split, count, seed in (("train", 2, 1), ("val", 3, 2)):
            write_tree(os.path.join(job, "scenes", split), count, seed, split, classes)
            write_records(job, split, count, classes)
        os.makedirs(os.path.join(job, "readout"))
        torch.manual_seed(1)
        import torchvision
        for nuisance in ("hue", "angle"):  # random ResNet-18 read-outs: only their predictions' plumbing is tested
            readout = torchvision.models.resnet18(num_classes=12).eval()
            write_file(os.path.join(job, "readout", f"{nuisance}-model.safetensors"),
                       safetensors_bytes(readout.state_dict(), {"architecture": "resnet18", "num_classes": 12}))
            rows = [[f"{name}/val_{index:05d}.png", label, index, 0.9, 0.9]
                    for label, name in enumerate(classes) for index in range(3)]
            write_csv(os.path.join(job, "readout", f"natural-val-{nuisance}.csv"),
                      ["file", "label", "prediction", "prediction_probability", "label_probability"], rows)
        train = os.path.join(job, "arms", "erm-seed1", "train")
        os.makedirs(os.path.join(train, "checkpoints", "last"))
        write_file(os.path.join(train, "latest-checkpoint"), "last\n")
        write_file(os.path.join(train, "checkpoints", "last", "model.safetensors"),
                   safetensors_bytes(CifarResNet("resnet20", 10).eval().state_dict(), {"architecture": "resnet20"}))
        reports = []
        for run in ("first", "second"):
            out = os.path.join(folder, f"{run}.json")
            result = subprocess.run([sys.executable, SCRIPT, job, "--resample", os.path.join(folder, run),
                                     "--samples", "20", "--build", BUILD, "--json-out", out, "--markdown-out",
                                     out + ".md"], capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            reports.append(read_json(out))
        first, second = reports
        for name in ("observational", "interventional"):
            self.assertTrue(first["generated_sets"][name]["made_here"])
            self.assertEqual(first["inputs"][f"images/{name}"]["files"], 20)
            self.assertEqual(first["coverage"]["sets"][f"{name} (read-out)"]["samples"], 20)
            # genint-gan's samples are a function of the keys, count and seed: a second run makes the same images.
            self.assertEqual(first["inputs"][f"images/{name}"]["sha256"], second["inputs"][f"images/{name}"]["sha256"])
        self.assertEqual(first["preservation"]["interventional"]["samples"], 20)
        self.assertEqual(first["warnings"], [])
        # --samples-from reads the first run's sets instead of making them: the same images and figures.
        out = os.path.join(folder, "reused.json")
        result = subprocess.run([sys.executable, SCRIPT, job, "--samples-from", os.path.join(folder, "first"),
                                 "--json-out", out, "--markdown-out", out + ".md"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        reused = read_json(out)
        self.assertEqual(reused["warnings"], [])
        for name in ("observational", "interventional"):
            self.assertFalse(reused["generated_sets"][name]["made_here"])
            self.assertEqual(reused["inputs"][f"images/{name}"], first["inputs"][f"images/{name}"])
        self.assertEqual(reused["coverage"], first["coverage"])
        self.assertEqual(reused["preservation"], first["preservation"])
        # Samples made with other keys are named in a warning, as the job's own are.
        keys_path = os.path.join(folder, "first", "interventional-keys.json")
        write_json(keys_path, dict(read_json(keys_path), step=6.0))
        result = subprocess.run([sys.executable, SCRIPT, job, "--samples-from", os.path.join(folder, "first"),
                                 "--json-out", out, "--markdown-out", out + ".md"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(any("step=6.0" in warning for warning in read_json(out)["warnings"]))
        result = subprocess.run([sys.executable, SCRIPT, job, "--samples-from", os.path.join(folder, "first"),
                                 "--resample", os.path.join(folder, "third"), "--json-out", out],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("give one", result.stderr)


def stats_sha256(path):
    import hashlib
    return hashlib.sha256(read_file(path, "rb")).hexdigest()


if __name__ == "__main__":
    unittest.main()
