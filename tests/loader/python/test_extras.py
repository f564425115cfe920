# The per-sample extras (genint_batch_extras, ABI minor 3) through the genint package: equal to the C API's bytes
# (the C99 reference program), zero-copy (the tensors' pointers are the C API's), Mixup's loss helper against a hand
# computation, and the errors around them.
import numpy as np
import pytest
import torch

import genint
from genint.torch import mixup_cross_entropy
from conftest import mixed_config, natural_config, write_config
from test_batches import reference_batches

EXTRA_TYPES = {"mixup_partners": np.int32, "mixup_partner_labels": np.int32, "mixup_lambdas": np.float32,
               "auto_augment_sub_policies": np.int32, "auto_augment_ops": np.uint8, "transfer_alphas": np.float32}


def mixup_config(scenes, layout="uint8_hwc"):
    """Natural images with AutoAugment, mixed in pairs, beside the demo generator's interventions."""
    config = mixed_config(scenes, natural=6, generated=2, layout=layout)
    config["sources"][0]["auto_augment"] = "imagenet"
    config["mixup"] = {"alpha": 0.4}
    return config


@pytest.mark.parametrize("layout", ["uint8_hwc", "float32_chw"])
def test_extras_equal_the_c_api_byte_for_byte(scenes, tmp_path, layout):
    config_path = write_config(tmp_path / "config.json", mixup_config(scenes, layout))
    expected = reference_batches(config_path, 4, tmp_path / "reference.bin")
    with genint.Loader(config_path) as loader:
        for want in expected:
            with loader.next_batch() as batch:
                assert batch.mixup
                assert batch.images.numpy().tobytes() == want["images"]
                arrays = batch.numpy()
                for name in genint.EXTRA_FIELDS:
                    assert getattr(batch, name).numpy().tobytes() == want[name], name
                    assert arrays[name].tobytes() == want[name], name
                    assert arrays[name].dtype == EXTRA_TYPES[name], name
                assert batch.extras()["mixup_lambdas"].numpy().tobytes() == want["mixup_lambdas"]


def test_extras_are_the_c_api_memory_and_say_what_happened(scenes):
    with genint.Loader(mixup_config(scenes)) as loader:
        batch = loader.next_batch()
        pointers = batch.pointers()
        for name in genint.EXTRA_FIELDS:
            assert getattr(batch, name).data_ptr() == pointers[name], name
            assert batch.numpy()[name].__array_interface__["data"][0] == pointers[name], name
        partners, lambdas = batch.mixup_partners.tolist(), batch.mixup_lambdas.tolist()
        labels, partner_labels = batch.labels.tolist(), batch.mixup_partner_labels.tolist()
        for sample in range(8):
            partner = partners[sample]
            assert partners[partner] == sample and lambdas[partner] == lambdas[sample]
            assert partner_labels[sample] == labels[partner]
            assert (sample < 6) == (partner < 6)  # natural samples pair among themselves
        assert partners[6:] == [6, 7] and lambdas[6:] == [1.0, 1.0]  # generated samples are never mixed
        assert all(0 <= sub_policy < 25 for sub_policy in batch.auto_augment_sub_policies.tolist()[:6])
        assert batch.auto_augment_sub_policies.tolist()[6:] == [-1, -1]
        assert batch.transfer_alphas.tolist() == [-1.0] * 8
        batch.release()
        with pytest.raises(genint.ReleasedBatchError):
            batch.mixup_lambdas


def test_without_mixup_every_sample_is_its_own_partner(scenes):
    with genint.Loader(natural_config(scenes)) as loader:
        with loader.next_batch() as batch:
            assert not batch.mixup
            assert batch.mixup_partners.tolist() == list(range(8))
            assert batch.mixup_partner_labels.tolist() == batch.labels.tolist()
            assert batch.mixup_lambdas.tolist() == [1.0] * 8
            assert batch.auto_augment_sub_policies.tolist() == [-1] * 8


def test_mixup_cross_entropy_is_lambda_weighted_by_hand(scenes):
    torch.manual_seed(0)
    with genint.Loader(mixup_config(scenes)) as loader:
        with loader.next_batch() as batch:
            logits = torch.randn(8, 10, dtype=torch.float64)
            losses = mixup_cross_entropy(logits, batch)
            log_probabilities = torch.log_softmax(logits, dim=1)
            for sample in range(8):
                lam = float(batch.mixup_lambdas[sample])
                own, partner = int(batch.labels[sample]), int(batch.mixup_partner_labels[sample])
                expected = -(lam * log_probabilities[sample, own] + (1 - lam) * log_probabilities[sample, partner])
                assert float(losses[sample]) == pytest.approx(float(expected), rel=1e-12)
            assert float(mixup_cross_entropy(logits, batch, reduction="sum")) == pytest.approx(float(losses.sum()))
            with pytest.raises(ValueError, match="reduction"):
                mixup_cross_entropy(logits, batch, reduction="max")


@pytest.mark.parametrize("layout", ["uint8_hwc", "float32_chw"])
def test_mixup_matches_the_torch_reference_on_the_unmixed_batches(scenes, layout):
    """What a torchvision/timm user writes, on the batches of the same config without "mixup" (deterministic mode:
    same samples, same seeds): x_mixed = λ·x + (1 − λ)·x[partner], targets λ·onehot(y) + (1 − λ)·onehot(y[partner]),
    loss = cross_entropy with those soft targets; genint's pixels and mixup_cross_entropy must give the same. float32
    pairs are blended as the uint8 images they are made from, so x is the uint8 batch there too, normalised after."""
    plain_config = natural_config(scenes, batch=8, layout="uint8_hwc")
    mixed = dict(natural_config(scenes, batch=8, layout=layout), mixup={"alpha": 0.4})
    torch.manual_seed(1)
    with genint.Loader(plain_config) as plain_loader, genint.Loader(mixed) as mixed_loader:
        for _ in range(3):
            with plain_loader.next_batch() as plain, mixed_loader.next_batch() as batch:
                x, labels = plain.images.clone(), plain.labels.long()
                partners = batch.mixup_partners.long()
                lam = batch.mixup_lambdas.clone()
                assert torch.equal(batch.labels.long(), labels)
                assert sorted(partners.tolist()) == list(range(8)) and (lam < 1).any()
                shape = (-1,) + (1,) * (x.dim() - 1)
                # λ is a multiple of 1/256, so the float64 blend is exact; genint rounds half up.
                lam64 = lam.double().view(shape)
                exact = lam64 * x.double() + (1 - lam64) * x[partners].double()
                expected = torch.floor(exact + 0.5).to(torch.uint8)
                if layout == "uint8_hwc":
                    assert torch.equal(batch.images, expected)
                else:
                    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
                    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
                    normalised = (expected.permute(0, 3, 1, 2).float() / 255 - mean) / std
                    # genint normalises in one fused multiply-add, torch in three roundings: a few ulps of values
                    # below 3; a uint8 level is 0.017 there, so any other blend would be caught.
                    assert torch.allclose(batch.images, normalised, rtol=0, atol=2e-6)
                logits = torch.randn(8, 10, dtype=torch.float64)
                one_hot = torch.nn.functional.one_hot(labels, 10).double()
                weights = lam.double().unsqueeze(1)
                soft_targets = weights * one_hot + (1 - weights) * one_hot[partners]
                reference = torch.nn.functional.cross_entropy(logits, soft_targets, reduction="none")
                # The same terms in another order in float64.
                losses = mixup_cross_entropy(logits, batch)
                assert torch.allclose(losses, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mixup, field", [({"alpha": 0}, "mixup.alpha"), ({"alpha": 0.4, "beta": 1}, "mixup.beta"),
                                          ({}, "mixup.alpha")])
def test_bad_mixup_settings_name_the_field(scenes, mixup, field):
    config = natural_config(scenes)
    config["mixup"] = mixup
    with pytest.raises(genint.ConfigError, match=field.replace(".", r"\.")):
        genint.Loader(config)


def test_unknown_auto_augment_policy_names_the_field(scenes):
    config = natural_config(scenes)
    config["sources"][0]["auto_augment"] = "cifar10"
    with pytest.raises(genint.ConfigError, match=r"sources\[0\]\.auto_augment"):
        genint.Loader(config)
