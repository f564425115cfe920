# genint.Batch: one batch borrowed from a loader, its fields as PyTorch tensors or NumPy arrays over the loader's
# own memory (no copy), given back when the last of them is gone or at once with `with batch:` / release().
"""genint.Batch: zero-copy views of a borrowed batch."""

import numpy as np

from . import _native

LAYOUT_NAMES = {_native.LAYOUT_UINT8_HWC: "uint8_hwc", _native.LAYOUT_FLOAT32_CHW: "float32_chw"}
# genint_intervention as a NumPy structured dtype, offsets and size from the compiled header.
RECORD_DTYPE = np.dtype({
    "names": [name for name, _, _ in _native.record_fields()],
    "formats": [numpy_format for _, numpy_format, _ in _native.record_fields()],
    "offsets": [offset for _, _, offset in _native.record_fields()],
    "itemsize": _native.RECORD_SIZE,
})
RECORD_FIELDS = tuple(RECORD_DTYPE.names)
_HOST_FIELDS = ("images", "labels", "weights", "sources", "items")
# Per-sample extras (genint_batch_extras, ABI minor 3): Mixup partners, their labels and λ; AutoAugment's sub-policy
# (-1: did not run) and operation bits; the transferred source's α (-1 elsewhere).
EXTRA_FIELDS = ("mixup_partners", "mixup_partner_labels", "mixup_lambdas", "auto_augment_sub_policies",
                "auto_augment_ops", "transfer_alphas")
# Bits of auto_augment_ops: which of the sub-policy's two operations ran, and which ran with a negated magnitude.
AUTO_AUGMENT_FIRST_APPLIED, AUTO_AUGMENT_SECOND_APPLIED = 1, 2
AUTO_AUGMENT_FIRST_NEGATED, AUTO_AUGMENT_SECOND_NEGATED = 4, 8
_DEVICE_FIELDS = ("images", "labels", "weights")


def _torch():
    import torch  # imported on first use: NumPy-only code never pays for it

    return torch


class Batch:
    """One batch borrowed from a :class:`genint.Loader`.

    Fields, without copying (the tensors' ``data_ptr()`` is the C API's pointer): ``images`` (uint8
    N×H×W×3 or float32 N×3×H×W, ImageNet-normalized), ``labels`` (int32: call ``.long()`` for
    ``cross_entropy``), ``weights`` (float32 λ per sample), ``sources`` (int32: genint.NATURAL,
    genint.INTERVENTION, genint.TRANSFERRED), ``items`` (int64: dataset index for natural samples, stream position
    for generated ones), ``records`` (NumPy structured array of genint_intervention) or ``record_tensors()``.
    Per-sample extras, also without copying: ``mixup_partners``, ``mixup_partner_labels``, ``mixup_lambdas``
    (``mixup`` says whether the config mixes; see genint.torch.mixup_cross_entropy), ``auto_augment_sub_policies``,
    ``auto_augment_ops`` and ``transfer_alphas``; ``extras()`` gives them all as a dict.
    Samples are grouped by source in config order. With ``"output": {"device": "cuda"}`` images, labels and
    weights are CUDA tensors on the loader's device, ordered after the batch's copy on the current stream; take
    them all under one current stream (the release is recorded on it; a second stream raises InvalidArgumentError).

    The batch is given back to the loader when this object and every array or tensor taken from it are gone,
    or at once by ``release()`` / the end of ``with batch:``; arrays and tensors kept past an explicit release
    then see the loader's later batches. Using a released batch raises genint.ReleasedBatchError.
    """

    __slots__ = ("_native", "_views", "index", "epoch", "size", "image_size", "layout", "device", "mixup")

    def __init__(self, native):
        self._native = native
        self._views = {}
        self.index = native.index
        self.epoch = native.epoch
        self.size = native.size
        self.image_size = native.image_size
        self.layout = LAYOUT_NAMES[native.layout]
        self.device = "cpu" if native.device_index < 0 else f"cuda:{native.device_index}"
        self.mixup = native.mixup

    # ---- tensors -----------------------------------------------------------------------------------------
    @property
    def images(self):
        return self._tensor("images")

    @property
    def labels(self):
        return self._tensor("labels")

    @property
    def weights(self):
        return self._tensor("weights")

    @property
    def sources(self):
        return self._tensor("sources")

    @property
    def items(self):
        return self._tensor("items")

    @property
    def mixup_partners(self):
        """int32: the sample each one is blended with (itself where unmixed), always from the same natural source."""
        return self.host_tensor("mixup_partners")

    @property
    def mixup_partner_labels(self):
        """int32: labels[mixup_partners[i]], the second label of Mixup's loss."""
        return self.host_tensor("mixup_partner_labels")

    @property
    def mixup_lambdas(self):
        """float32 λ: image = λ·own + (1 − λ)·partner's; 1 where unmixed."""
        return self.host_tensor("mixup_lambdas")

    @property
    def auto_augment_sub_policies(self):
        """int32: the AutoAugment sub-policy drawn (torchvision's order), -1 where AutoAugment did not run."""
        return self.host_tensor("auto_augment_sub_policies")

    @property
    def auto_augment_ops(self):
        """uint8 bits: genint.AUTO_AUGMENT_FIRST_APPLIED | SECOND_APPLIED | FIRST_NEGATED | SECOND_NEGATED."""
        return self.host_tensor("auto_augment_ops")

    @property
    def transfer_alphas(self):
        """float32: a transferred sample's style strength α, -1 for other samples."""
        return self.host_tensor("transfer_alphas")

    def extras(self):
        """Every per-sample extra as a CPU tensor over the loader's memory (genint_batch_extras), by name."""
        return {name: self.host_tensor(name) for name in EXTRA_FIELDS}

    def host_tensor(self, name):
        """A field in host memory as a CPU tensor (for a device batch, the host copy it was made from)."""
        return self._view(("host", name), lambda: _torch().from_dlpack(self._native.host_dlpack(name)))

    def record_tensors(self):
        """The intervention records as a dict of int32/float32 CPU tensors, one per genint_intervention field,
        strided views into the records (no copy). ``latent_seed`` is int64 (PyTorch has no uint64): the same
        64 bits, negative above 2**63."""
        return {field: self.host_tensor("record." + field) for field in RECORD_FIELDS}

    # ---- NumPy -------------------------------------------------------------------------------------------
    @property
    def records(self):
        """The intervention records: a read-only NumPy structured array (dtype genint.RECORD_DTYPE).
        Natural samples have class_index -1 and zeros elsewhere (direction -1)."""
        return self._view(("numpy", "records"), lambda: self._native.records_array(RECORD_DTYPE))

    def numpy(self):
        """Every host field as a read-only NumPy array (no copy): images, labels, weights, sources, items,
        records and the extras (EXTRA_FIELDS)."""
        arrays = {name: self._view(("numpy", name), lambda name=name: self._native.host_array(name))
                  for name in _HOST_FIELDS + EXTRA_FIELDS}
        arrays["records"] = self.records
        return arrays

    # ---- lifetime ----------------------------------------------------------------------------------------
    @property
    def released(self):
        return self._native.released

    def release(self):
        """Gives the batch back now. A second call raises genint.ReleasedBatchError."""
        self._views.clear()
        self._native.release()

    def pointers(self):
        """The addresses the C API handed out (genint_batch, and genint_device_batch if any), as ints."""
        return self._native.pointers()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        if not self._native.released:
            self.release()

    def __repr__(self):
        state = ", released" if self._native.released else ""
        return (f"genint.Batch(index={self.index}, epoch={self.epoch}, size={self.size}, "
                f"image_size={self.image_size}, layout={self.layout}, device={self.device}{state})")

    # ---- internals ---------------------------------------------------------------------------------------
    def _tensor(self, name):
        if self.device != "cpu" and name in _DEVICE_FIELDS:
            return self._view(("device", name), lambda: self._device_tensor(name))
        return self.host_tensor(name)

    def _device_tensor(self, name):
        torch = _torch()
        if not torch.cuda.is_available():
            from . import _errors
            raise _errors.DeviceError(f"batch {self.index} lies on {self.device}, but this PyTorch has no CUDA",
                                      call="genint.Batch." + name)
        # torch.from_dlpack passes the current stream of the tensor's device to __dlpack__, which makes that
        # stream wait for the batch's host-to-device copy; the release is then recorded on it.
        return torch.from_dlpack(self._native.device_export(name))

    def _view(self, key, make):
        view = self._views.get(key)
        if view is None:
            view = make()  # raises ReleasedBatchError after a release
            self._views[key] = view
        return view
