#!/usr/bin/python3
# Tests tools/main_job_pictures.py on small fake main-job output folders: the three PNGs exist, decode, have their
# sizes, show the first images of each class in the right cells, and missing optional parts or data fail nothing.
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

SKIP = 77  # CTest's SKIP_RETURN_CODE for this test (tests/tools/CMakeLists.txt)
try:
    import matplotlib  # noqa: F401  (the script needs it; without it there is nothing to test)
    import numpy as np
    from PIL import Image
except ImportError as error:
    print(f"skipped: {error} (install python3-matplotlib python3-numpy python3-pil: tools/install-dependencies)")
    sys.exit(SKIP)

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "main_job_pictures.py")
CLASSES = ["0_tshirt", "1_trouser", "9_ankle_boot"]
ROW_FOLDERS = ["scenes/train", "scenes/ood", "observational", "interventional", "transferred-content",
               "transferred-style", "transferred", "stylized-content", "stylized-style", "stylized"]
FILES_PER_CLASS = 3  # the script shows the first 2; the third must not appear
NOT_SHOWN = (0, 0, 0)  # the third file's colour
# A solid JPEG (quality 95, 4:4:4) decodes within 2 levels of its colour, and samples.png is lossless.
COLOUR_TOLERANCE = 2


def load_script():
    spec = importlib.util.spec_from_file_location("main_job_pictures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pictures = load_script()


def cell_colour(row, class_index, image_index):
    """A distinct colour per (row, class, image); far from black (NOT_SHOWN) and from white (the background)."""
    return (20 + 23 * row, 60 + 70 * class_index, 90 + 100 * image_index)


def write_images(out_dir, rows):
    for row, folder in enumerate(ROW_FOLDERS):
        if folder not in rows:
            continue
        for class_index, class_folder in enumerate(CLASSES):
            class_dir = os.path.join(out_dir, folder, class_folder)
            os.makedirs(class_dir)
            for image_index in range(FILES_PER_CLASS):
                colour = cell_colour(row, class_index, image_index) if image_index < 2 else NOT_SHOWN
                image = Image.new("RGB", (32, 32), colour)
                # Names sort in the order written; generated images are PNGs, natural ones JPEGs, as in the main job.
                if folder.startswith("scenes"):
                    image.save(os.path.join(class_dir, f"img_{image_index:05d}.JPEG"), quality=95, subsampling=0)
                else:
                    image.save(os.path.join(class_dir, f"gen_{image_index:07d}.png"))
    os.makedirs(os.path.join(out_dir, "scenes"), exist_ok=True)
    with open(os.path.join(out_dir, "scenes", "train.csv"), "w") as stray:  # files beside class folders are ignored
        stray.write("path,label\n")


def run_record(seed, iid, ood, curve=None):
    record = {"seed": seed, "iid_top1": iid, "ood_top1": ood, "mce_relative_to_erm": 1.0}
    if curve is not None:
        record["val_curve"] = curve
    return record


def full_results():
    """3 arms x 2 seeds with validation curves and display names, as results.json will hold them."""
    runs = {"erm": [run_record(1, 0.48, 0.13, [0.2, 0.3, 0.4]), run_record(2, 0.50, 0.15, [0.25, 0.35, 0.45])],
            "genint": [run_record(1, 0.52, 0.15, [0.3, 0.4, 0.5]), run_record(2, 0.54, 0.16, [0.3, 0.45, 0.5])],
            "genint_transfer": [run_record(1, 0.51, 0.17, [0.3, 0.4, 0.5]), run_record(2, 0.5, 0.18, [0.3, 0.4, 0.45])],
            "stylized": [run_record(1, 0.47, 0.14, [0.2, 0.3, 0.4]), run_record(2, 0.46, 0.15, [0.2, 0.35, 0.4])],
            "oracle": [run_record(1, 0.40, 0.30, [0.2, 0.3, 0.3]), run_record(2, 0.42, 0.32, [0.2, 0.25, 0.35])]}
    arms = {}
    for arm, records in runs.items():
        arms[arm] = {metric: {"mean": float(np.mean([r[metric] for r in records])),
                              "std": float(np.std([r[metric] for r in records], ddof=1))}
                     for metric in ("iid_top1", "ood_top1")}
        arms[arm]["seeds"] = [1, 2]
    names = {"erm": "ERM (natural only)", "genint": "GenInt (+ interventions)", "oracle": "Oracle (OOD-like train)",
             "genint_transfer": "GenInt + transfer (+ interventions, + transferred)",
             "stylized": "Stylized (+ transferred, natural styles)"}
    return {"arms": arms, "runs": runs, "names": names}


def write_results(out_dir, results):
    with open(os.path.join(out_dir, "results.json"), "w") as file:
        json.dump(results, file)


def run_script(out_dir):
    return subprocess.run([sys.executable, SCRIPT, out_dir], capture_output=True, text=True, timeout=240)


class MainJobPicturesTest(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory(prefix="genint-pictures-")
        self.out_dir = self.temporary.name

    def tearDown(self):
        self.temporary.cleanup()

    def run_ok(self):
        result = run_script(self.out_dir)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result

    def decoded(self, name):
        path = os.path.join(self.out_dir, name)
        self.assertTrue(os.path.isfile(path), f"{name} not written")
        self.assertLess(os.path.getsize(path), 600 * 1024, f"{name} is over 600 KB")
        with Image.open(path) as image:
            image.load()
            return image.convert("RGB")

    def assert_cells(self, samples, present_rows):
        """Each present row's cells show the first two files of each class, in the layout's boxes."""
        layout = pictures.samples_layout(len(present_rows), len(CLASSES))
        self.assertEqual(samples.size, layout["figure"])
        pixels = np.asarray(samples).astype(int)
        half = pictures.CELL_IMAGE_PIXELS // 2
        for r, row in enumerate(present_rows):
            for c in range(len(CLASSES)):
                for i in range(2):
                    left, top = layout["boxes"][r][c][i]
                    centre = pixels[top + half, left + half]
                    expected = cell_colour(ROW_FOLDERS.index(row), c, i)
                    self.assertLessEqual(np.abs(centre - expected).max(), COLOUR_TOLERANCE,
                                         f"row {row}, class {CLASSES[c]}, image {i}: {centre} vs {expected}")

    def test_full_output_folder(self):
        write_images(self.out_dir, ROW_FOLDERS)
        write_results(self.out_dir, full_results())
        self.run_ok()
        self.assert_cells(self.decoded("samples.png"), ROW_FOLDERS)
        self.assertEqual(self.decoded("results.png").size, (1300, 620))
        self.assertEqual(self.decoded("curves.png").size, (900, 560))
        first = {name: open(os.path.join(self.out_dir, name), "rb").read() for name in
                 ("samples.png", "results.png", "curves.png")}
        self.run_ok()
        for name, data in first.items():
            self.assertEqual(open(os.path.join(self.out_dir, name), "rb").read(), data, f"{name} not deterministic")

    def test_transfer_rows_stack_content_style_output_and_shared_contents_show_once(self):
        write_images(self.out_dir, ROW_FOLDERS)
        write_results(self.out_dir, full_results())
        # The Stylized samples' contents equal the transferred ones file for file: that row is left out.
        stylized_content = os.path.join(self.out_dir, "stylized-content")
        for class_folder in CLASSES:
            for name in os.listdir(os.path.join(self.out_dir, "transferred-content", class_folder)):
                with open(os.path.join(self.out_dir, "transferred-content", class_folder, name), "rb") as source, \
                        open(os.path.join(stylized_content, class_folder, name), "wb") as target:
                    target.write(source.read())
        self.run_ok()
        shown = [row for row in ROW_FOLDERS if row != "stylized-content"]
        self.assert_cells(self.decoded("samples.png"), shown)
        # The transfer rows of one sample stand one above another: content, style, output in the same column.
        layout = pictures.samples_layout(len(shown), len(CLASSES))
        tops = [layout["boxes"][shown.index(row)][1][0] for row in
                ("transferred-content", "transferred-style", "transferred")]
        self.assertEqual(len({left for left, _ in tops}), 1)
        self.assertEqual(sorted(top for _, top in tops), [top for _, top in tops])
        # A content differing in one file is a row of its own again.
        first = sorted(os.listdir(os.path.join(stylized_content, CLASSES[0])))[0]
        Image.new("RGB", (32, 32), (1, 2, 3)).save(os.path.join(stylized_content, CLASSES[0], first))
        rows, _ = pictures.present_sample_rows(self.out_dir)
        self.assertEqual(len(rows), len(ROW_FOLDERS))

    def test_missing_rows_arms_and_keys_fail_nothing(self):
        present = ["scenes/train", "observational", "interventional"]  # no OOD test, no transferred
        write_images(self.out_dir, present)
        results = full_results()
        del results["names"], results["runs"]["oracle"], results["arms"]["genint"]["iid_top1"]
        results["arms"]["mixup"] = {"ood_top1": {"mean": 0.12}}  # an arm without runs, std or IID
        for arm, records in results["runs"].items():
            for record in records:
                del record["val_curve"]
        # Curves then come from the trainer's logs: validation lines only, a cut-short last line ignored.
        log_dir = os.path.join(self.out_dir, "arms", "erm-seed1", "train")
        os.makedirs(log_dir)
        with open(os.path.join(log_dir, "train-log.jsonl"), "w") as log:
            log.write(json.dumps({"epoch": 0, "step": 20, "loss": 2.0}) + "\n")
            for epoch, top1 in enumerate([0.2, 0.3]):
                log.write(json.dumps({"event": "validation", "epoch": epoch, "val_top1": top1}) + "\n")
            log.write('{"event": "validation", "epo')
        write_results(self.out_dir, results)
        result = self.run_ok()
        self.assert_cells(self.decoded("samples.png"), present)
        self.assertEqual(self.decoded("results.png").size, (1300, 620))
        self.assertEqual(self.decoded("curves.png").size, (900, 560))
        self.assertIn("validation curves of 1 runs of 1 arms, from train-log.jsonl", result.stdout)
        self.assertEqual(pictures.read_validation_log(os.path.join(log_dir, "train-log.jsonl")), ([1, 2], [0.2, 0.3]))

    def test_no_curves_and_no_images_write_no_such_pictures(self):
        results = full_results()
        for records in results["runs"].values():
            for record in records:
                del record["val_curve"]
        write_results(self.out_dir, results)
        result = self.run_ok()
        self.assertIn("curves.png not written", result.stdout)
        self.assertIn("samples.png not written", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.out_dir, "curves.png")))
        self.assertFalse(os.path.exists(os.path.join(self.out_dir, "samples.png")))
        self.assertEqual(self.decoded("results.png").size, (1300, 620))

    def test_missing_or_unreadable_results_fail_clearly(self):
        result = run_script(self.out_dir)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("results.json", result.stderr)
        with open(os.path.join(self.out_dir, "results.json"), "w") as file:
            file.write('{"arms": ')
        result = run_script(self.out_dir)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not valid JSON", result.stderr)


class HelperTest(unittest.TestCase):
    def test_arm_order_and_class_names(self):
        self.assertEqual(pictures.ordered_arms({"oracle", "zeta", "genint", "erm", "alpha", "mixup"}),
                         ["erm", "mixup", "genint", "oracle", "alpha", "zeta"])
        self.assertEqual(pictures.class_display_name("9_ankle_boot"), "ankle boot")
        self.assertEqual(sorted(["10_x", "9_y", "0_z"], key=pictures.class_sort_key), ["0_z", "9_y", "10_x"])

    def test_summary_falls_back_to_the_runs(self):
        results = {"runs": {"erm": [{"ood_top1": 0.1}, {"ood_top1": 0.3}, {"ood_top1": "n/a"}]}}
        mean, std, values = pictures.metric_summary(results, "erm", "ood_top1")
        self.assertAlmostEqual(mean, 0.2)
        self.assertAlmostEqual(std, 0.1414213562, places=9)  # sample std, as the main job's results.json has it
        self.assertEqual(values, [0.1, 0.3])
        self.assertIsNone(pictures.metric_summary(results, "erm", "iid_top1"))

    def test_mean_curve_over_runs_of_different_lengths(self):
        epochs, means = pictures.mean_curve([([1, 2, 3], [0.2, 0.4, 0.6]), ([1, 2], [0.4, 0.6])])
        self.assertEqual(epochs, [1, 2, 3])
        np.testing.assert_allclose(means, [0.3, 0.5, 0.6])


if __name__ == "__main__":
    unittest.main(verbosity=2)
