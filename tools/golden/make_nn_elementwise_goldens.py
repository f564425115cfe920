#!/usr/bin/python3
# Writes the PyTorch goldens of genint's elementwise/normalisation/pooling/loss ops (nn/ops) as safetensors
# files in tests/data/golden/nn/: inputs, parameters, outputs and the gradients of sum(output * R), R random.
# Run from the repository root with Debian's torch: /usr/bin/python3 tools/golden/make_nn_elementwise_goldens.py
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

COMMAND = "/usr/bin/python3 tools/golden/make_nn_elementwise_goldens.py"
OUTPUT_DIR = os.path.join("tests", "data", "golden", "nn")


def write_safetensors(name, tensors, note):
    """Hand-written safetensors: 8-byte little-endian header length, JSON header, then the raw data."""
    header = {"__metadata__": {"command": COMMAND, "torch": torch.__version__, "note": note}}
    blobs = []
    offset = 0
    for key, value in tensors.items():
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        if array.dtype == np.float32:
            dtype = "F32"
        elif array.dtype in (np.int32, np.int64):
            array = array.astype(np.int32)
            dtype = "I32"
        else:
            raise TypeError(f"{name}/{key}: unsupported dtype {array.dtype}")
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)  # keep the data 8-byte aligned
    path = os.path.join(OUTPUT_DIR, name + ".safetensors")
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(header_bytes)))
        file.write(header_bytes)
        for blob in blobs:
            file.write(blob)
    print(f"wrote {path} ({8 + len(header_bytes) + offset} bytes)")


def with_grad(tensor):
    return tensor.clone().requires_grad_(True)


def batch_norm_train():
    x = with_grad(torch.randn(4, 3, 5, 6) * 2.0 + 0.5)
    gamma = with_grad(torch.rand(3) + 0.5)
    beta = with_grad(torch.randn(3))
    running_mean = torch.randn(3) * 0.1
    running_var = torch.rand(3) + 0.5
    running_mean_before, running_var_before = running_mean.clone(), running_var.clone()
    out, saved_mean, saved_inverse_std = torch.ops.aten.native_batch_norm(
        x, gamma, beta, running_mean, running_var, True, 0.1, 1e-5)
    r = torch.randn_like(out)
    (out * r).sum().backward()
    write_safetensors("batch_norm_train", {
        "input": x, "gamma": gamma, "beta": beta, "running_mean_before": running_mean_before,
        "running_var_before": running_var_before, "output": out, "saved_mean": saved_mean,
        "saved_inverse_std": saved_inverse_std, "running_mean_after": running_mean,
        "running_var_after": running_var, "R": r, "grad_input": x.grad, "grad_gamma": gamma.grad,
        "grad_beta": beta.grad, "eps": torch.tensor([1e-5]), "momentum": torch.tensor([0.1])},
        "aten.native_batch_norm training, momentum 0.1, eps 1e-5; grads of sum(output*R)")


def batch_norm_eval():
    x = torch.randn(3, 4, 4, 5) * 3.0 - 1.0
    gamma, beta = torch.rand(4) + 0.5, torch.randn(4)
    running_mean, running_var = torch.randn(4), torch.rand(4) + 0.2
    out = F.batch_norm(x, running_mean, running_var, gamma, beta, training=False, eps=1e-5)
    write_safetensors("batch_norm_eval", {
        "input": x, "gamma": gamma, "beta": beta, "running_mean": running_mean, "running_var": running_var,
        "output": out, "eps": torch.tensor([1e-5])}, "F.batch_norm eval, eps 1e-5")


def relu():
    x = with_grad(torch.randn(2, 3, 4, 5))
    out = F.relu(x)
    r = torch.randn_like(out)
    (out * r).sum().backward()
    write_safetensors("relu", {"input": x, "output": out, "R": r, "grad_input": x.grad}, "F.relu")


def max_pool():
    x = with_grad(torch.randn(2, 3, 9, 10))
    out, indices = F.max_pool2d(x, kernel_size=3, stride=2, padding=1, return_indices=True)
    r = torch.randn_like(out)
    (out * r).sum().backward()
    write_safetensors("max_pool", {"input": x, "output": out, "indices": indices, "R": r, "grad_input": x.grad},
                      "F.max_pool2d kernel 3, stride 2, padding 1 (ResNet stem)")


def global_average_pool():
    x = with_grad(torch.randn(3, 4, 7, 7) + 1.0)
    out = x.mean(dim=(2, 3))
    r = torch.randn_like(out)
    (out * r).sum().backward()
    write_safetensors("global_average_pool", {"input": x, "output": out, "R": r, "grad_input": x.grad},
                      "x.mean(dim=(2,3))")


def residual_add():
    a, b = with_grad(torch.randn(2, 3, 4, 4)), with_grad(torch.randn(2, 3, 4, 4))
    out = a + b
    r = torch.randn_like(out)
    (out * r).sum().backward()
    write_safetensors("residual_add", {"first": a, "second": b, "output": out, "R": r, "grad_first": a.grad,
                                       "grad_second": b.grad}, "a + b")


def cross_entropy():
    batch, classes = 8, 10
    logits = torch.randn(batch, classes) * 4.0
    logits[3] += 1000.0  # a naive exp would overflow: checks the log-sum-exp shift
    logits = with_grad(logits)
    labels = torch.randint(0, classes, (batch,))
    # Two sources as the trainer uses them: w_i = λ_s / n_s (natural λ 1 over 5, generated λ 0.05 over 3).
    weights = torch.tensor([1.0 / 5] * 5 + [0.05 / 3] * 3)
    sample_losses = F.cross_entropy(logits, labels, reduction="none")
    loss = (weights * sample_losses).sum()
    loss.backward()
    write_safetensors("cross_entropy", {"logits": logits, "labels": labels, "weights": weights,
                                        "sample_losses": sample_losses, "loss": loss.reshape(1),
                                        "grad_logits": logits.grad},
                      "loss = sum(w * F.cross_entropy(reduction='none')); grad of loss")


def conditional_batch_norm():
    batch, channels, eps = 3, 4, 1e-4
    x = torch.randn(batch, channels, 5, 5) * 2.0
    mean, var = torch.randn(channels), torch.rand(channels) + 0.1
    condition = torch.randn(batch, 16)
    scale_weight, offset_weight = torch.randn(channels, 16) * 0.1, torch.randn(channels, 16) * 0.1
    gain = 1 + F.linear(condition, scale_weight)  # as BigGANBatchNorm: weight = 1 + scale(condition)
    bias = F.linear(condition, offset_weight)
    out = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + eps) * gain.view(batch, channels, 1, 1) \
        + bias.view(batch, channels, 1, 1)
    write_safetensors("conditional_batch_norm", {"input": x, "mean": mean, "var": var, "gain": gain, "bias": bias,
                                                 "output": out, "eps": torch.tensor([eps])},
                      "pytorch-pretrained-biggan BigGANBatchNorm conditional forward, eps 1e-4")


def upsample():
    x = torch.randn(2, 3, 4, 5)
    out = F.interpolate(x, scale_factor=2, mode="nearest")
    write_safetensors("upsample", {"input": x, "output": out}, "F.interpolate(scale_factor=2, mode='nearest')")


def softmax():
    x = torch.randn(2, 12, 20) * 5.0
    x[1, 3] += 500.0  # a naive exp would overflow
    out = F.softmax(x, -1)
    write_safetensors("softmax", {"input": x, "output": out}, "F.softmax(x, -1)")


def reflection_pad():
    x = torch.randn(2, 3, 5, 6)
    out = torch.nn.ReflectionPad2d((2, 1, 3, 0))(x)  # left, right, top, bottom
    write_safetensors("reflection_pad", {"input": x, "output": out, "pads_left_right_top_bottom":
                                         torch.tensor([2, 1, 3, 0], dtype=torch.int32)},
                      "nn.ReflectionPad2d((2, 1, 3, 0))")


def tanh():
    x = torch.randn(2, 3, 4, 5) * 3.0
    write_safetensors("tanh", {"input": x, "output": torch.tanh(x)}, "torch.tanh")


def main():
    if not os.path.isdir(OUTPUT_DIR):
        sys.exit(f"run from the repository root: {OUTPUT_DIR} not found")
    makers = [batch_norm_train, batch_norm_eval, relu, max_pool, global_average_pool, residual_add, cross_entropy,
              conditional_batch_norm, upsample, softmax, reflection_pad, tanh]
    for seed, maker in enumerate(makers):
        torch.manual_seed(1000 + seed)  # one fixed seed per file: adding a maker leaves the others unchanged
        maker()


if __name__ == "__main__":
    main()
