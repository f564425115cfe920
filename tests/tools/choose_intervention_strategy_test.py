#!/usr/bin/python3
# Tests tools/choose-intervention-strategy's rule on hand-made sweep rows: an intervention must decorrelate and keep the
# object, then the best causal bound wins; each fallback (none keeps the object, none decorrelates) as documented;
# and --reuse-sweep's guards (rows reused only from a sweep measured alike, whose chosen row is reproduced).
import importlib.machinery
import importlib.util
import json
import os
import sys
import tempfile
import types
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "choose-intervention-strategy")
loader = importlib.machinery.SourceFileLoader("choose_intervention_strategy", SCRIPT)
spec = importlib.util.spec_from_loader(loader.name, loader)
tool = importlib.util.module_from_spec(spec)
sys.modules[loader.name] = tool
loader.exec_module(tool)  # defines functions only: main() runs under __main__


def row(name, space, bound, dependence, preservation):
    return {"keys": {"space": space, "name": name}, "causal_bound_log_likelihood": bound, "dependence": dependence,
            "preservation": preservation}


OBSERVATIONAL = [row("t0.5", "observational", -3.0, 0.9, 1.0), row("t1.0", "observational", -2.0, 0.6, 0.9)]
NATURAL_DEPENDENCE = 0.44
MIN_PRESERVATION = 0.7


def chosen(interventions):
    observational, intervention, why = tool.choose(OBSERVATIONAL + interventions, NATURAL_DEPENDENCE,
                                                   MIN_PRESERVATION)
    return observational["keys"]["name"], intervention["keys"]["name"], why


class ChooseTest(unittest.TestCase):
    def test_best_bound_among_those_that_decorrelate_and_keep_the_object(self):
        observational, name, why = chosen([
            row("blob", "activation", -1.5, 0.30, 0.40),      # best bound, but the object is gone
            row("kept", "latent", -1.9, 0.40, 0.75),
            row("kept-worse", "latent", -2.1, 0.42, 0.80),
            row("confounded", "latent", -1.0, 0.60, 0.90),    # keeps the object, does not decorrelate
        ])
        self.assertEqual(observational, "t1.0")
        self.assertEqual(name, "kept")
        self.assertIn("2 of those an object preservation of at least 0.70", why)

    def test_the_bar_is_inclusive(self):
        self.assertEqual(chosen([row("at-bar", "latent", -2.0, 0.40, 0.70),
                                 row("below", "latent", -1.0, 0.40, 0.6999)])[1], "at-bar")

    def test_none_keeps_the_object_takes_the_best_keeper_among_decorrelating(self):
        _, name, why = chosen([row("a", "activation", -1.5, 0.30, 0.40), row("b", "latent", -2.5, 0.43, 0.60),
                               row("c", "latent", -1.0, 0.50, 0.95)])
        self.assertEqual(name, "b")
        self.assertIn("NONE of them", why)

    def test_none_decorrelates_takes_the_least_dependent(self):
        _, name, why = chosen([row("a", "latent", -1.5, 0.50, 0.90), row("b", "latent", -2.5, 0.45, 0.20)])
        self.assertEqual(name, "b")
        self.assertIn("NO intervention", why)


class ReuseSweepTest(unittest.TestCase):
    """--reuse-sweep: rows reused only from a sweep measured alike, and only if its chosen row is reproduced."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.generator = os.path.join(self.folder.name, "generator.safetensors")
        with open(self.generator, "wb") as file:
            file.write(b"weights")
        grid = tool.candidates()
        self.rows = [dict(keys=keys, causal_bound_log_likelihood=-2.0 - number / 10, dependence=0.5,
                          preservation=0.8) for number, keys in enumerate(grid)]
        self.earlier = {"command": "tools/choose-intervention-strategy --main-job-dir job --epochs 4 --samples 1500",
                        "generator_sha256": tool.sha256_of(self.generator),
                        "preservation_classifier": {"model_sha256": "abc"},
                        "natural_validation_dependence_readout": 0.45, "interventional": {"keys": grid[5]},
                        "sweep": self.rows}

    def tearDown(self):
        self.folder.cleanup()

    def reuse(self, samples=1500, classifier="abc", dependence=0.45):
        path = os.path.join(self.folder.name, "earlier.json")
        with open(path, "w") as file:
            json.dump(self.earlier, file)
        args = types.SimpleNamespace(reuse_sweep=path, generator=self.generator, samples=samples, bound_epochs=5)
        return tool.earlier_rows(args, {"classifier": {"model_sha256": classifier}}, dependence)

    def test_rows_by_keys_and_the_chosen_row_as_the_check(self):
        rows, check = self.reuse()
        self.assertEqual(len(rows), len(self.rows))
        self.assertEqual(check, json.dumps(tool.candidates()[5], sort_keys=True))

    def test_refuses_a_sweep_measured_otherwise(self):
        for change in ({"samples": 1000}, {"classifier": "other"}, {"dependence": 0.46}):
            with self.subTest(change=change), self.assertRaises(SystemExit) as stop:
                self.reuse(**change)
            self.assertIn("measured with another", str(stop.exception.code))

    def test_the_check_row_must_come_out_identical(self):
        earlier = dict(self.rows[5], classifier_top1=0.7)
        result = {key: value for key, value in earlier.items() if key != "keys"}
        tool.verify_reproduced(earlier, result, "earlier.json")  # identical: no exit
        with self.assertRaises(SystemExit) as stop:
            tool.verify_reproduced(earlier, dict(result, dependence=0.51), "earlier.json")
        self.assertIn("dependence (0.5 then, 0.51 now)", str(stop.exception.code))


if __name__ == "__main__":
    unittest.main()
