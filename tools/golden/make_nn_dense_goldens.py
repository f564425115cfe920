#!/usr/bin/python3
# Writes the PyTorch goldens for genint's dense nn ops (conv2d, linear) and SGD + learning-rate schedules.
# Run: /usr/bin/python3 tools/golden/make_nn_dense_goldens.py [output_dir]  (torch 1.13, fixed seeds, float32).
import json
import math
import os
import struct
import sys

import torch

COMMAND = "/usr/bin/python3 tools/golden/make_nn_dense_goldens.py tests/data/golden/nn"


def write_safetensors(path, tensors, metadata):
    """safetensors by hand: u64 LE header length, JSON header, then the raw little-endian data."""
    header = {"__metadata__": {key: str(value) for key, value in metadata.items()}}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)  # data starts 8-byte aligned
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(header_bytes)))
        file.write(header_bytes)
        for blob in blobs:
            file.write(blob)


CONV_CONFIGS = [
    # name, batch, in_ch, height, width, out_ch, kernel, stride, padding, dilation, groups, bias
    ("7x7_stride2_pad3", 2, 3, 13, 11, 4, 7, 2, 3, 1, 1, True),
    ("3x3_stride1_pad1", 2, 4, 8, 8, 5, 3, 1, 1, 1, 1, True),
    ("3x3_stride2_pad1", 2, 3, 9, 9, 4, 3, 2, 1, 1, 1, False),
    ("3x3_dilation2_pad2", 1, 3, 10, 10, 2, 3, 1, 2, 2, 1, True),
    ("3x3_groups2_pad1", 2, 4, 7, 7, 6, 3, 1, 1, 1, 2, True),
    ("1x1_stride2", 2, 6, 7, 7, 4, 1, 2, 0, 1, 1, False),
    ("1x1_stride1", 3, 5, 4, 6, 3, 1, 1, 0, 1, 1, True),
]


def make_conv(output_dir, seed, config):
    name, batch, in_ch, height, width, out_ch, kernel, stride, padding, dilation, groups, has_bias = config
    torch.manual_seed(seed)
    x = torch.randn(batch, in_ch, height, width, requires_grad=True)
    weight = (torch.randn(out_ch, in_ch // groups, kernel, kernel) * 0.3).requires_grad_()
    bias = (torch.randn(out_ch) * 0.1).requires_grad_() if has_bias else None
    out = torch.nn.functional.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups)
    loss_weights = torch.randn_like(out)  # loss = sum(out * loss_weights), so out's gradient is loss_weights
    (out * loss_weights).sum().backward()
    tensors = {"input": x, "weight": weight, "output": out, "output_grad": loss_weights,
               "input_grad": x.grad, "weight_grad": weight.grad}
    if has_bias:
        tensors["bias"] = bias
        tensors["bias_grad"] = bias.grad
    metadata = {"command": COMMAND, "torch": torch.__version__, "seed": seed, "stride": stride,
                "padding": padding, "dilation": dilation, "groups": groups}
    write_safetensors(os.path.join(output_dir, f"conv2d_{name}.safetensors"), tensors, metadata)


def make_linear(output_dir, seed, name, rows, in_features, out_features):
    torch.manual_seed(seed)
    x = torch.randn(rows, in_features, requires_grad=True)
    weight = (torch.randn(out_features, in_features) / math.sqrt(in_features)).requires_grad_()
    bias = (torch.randn(out_features) * 0.1).requires_grad_()
    out = torch.nn.functional.linear(x, weight, bias)
    loss_weights = torch.randn_like(out)
    (out * loss_weights).sum().backward()
    tensors = {"input": x, "weight": weight, "bias": bias, "output": out, "output_grad": loss_weights,
               "input_grad": x.grad, "weight_grad": weight.grad, "bias_grad": bias.grad}
    metadata = {"command": COMMAND, "torch": torch.__version__, "seed": seed}
    write_safetensors(os.path.join(output_dir, f"linear_{name}.safetensors"), tensors, metadata)


SGD_CONFIGS = [
    # name, lr, momentum, weight_decay, nesterov
    ("momentum_wd", 0.1, 0.9, 1e-4, False),
    ("nesterov_wd", 0.05, 0.9, 5e-4, True),
    ("plain_wd", 0.1, 0.0, 1e-4, False),
]


def make_sgd(output_dir, seed, config):
    name, lr, momentum, weight_decay, nesterov = config
    torch.manual_seed(seed)
    start = torch.randn(37)
    grads = [torch.randn(37), torch.randn(37)]
    parameter = torch.nn.Parameter(start.clone())
    optimizer = torch.optim.SGD([parameter], lr=lr, momentum=momentum, weight_decay=weight_decay,
                                nesterov=nesterov, dampening=0)
    tensors = {"parameter_0": start, "grad_1": grads[0], "grad_2": grads[1]}
    for step, grad in enumerate(grads, start=1):
        parameter.grad = grad.clone()
        optimizer.step()
        tensors[f"parameter_{step}"] = parameter.detach().clone()
        if momentum != 0:
            tensors[f"momentum_{step}"] = optimizer.state[parameter]["momentum_buffer"].clone()
    metadata = {"command": COMMAND, "torch": torch.__version__, "seed": seed, "lr": lr, "momentum": momentum,
                "weight_decay": weight_decay, "nesterov": int(nesterov)}
    write_safetensors(os.path.join(output_dir, f"sgd_{name}.safetensors"), tensors, metadata)


def learning_rates(make_scheduler, epochs, base_lr):
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return torch.tensor(rates, dtype=torch.float64)


def make_schedules(output_dir):
    epochs = 100
    step = learning_rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=30, gamma=0.1), epochs, 0.1)
    cosine = learning_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=90, eta_min=1e-4),
                            epochs, 0.1)
    metadata = {"command": COMMAND, "torch": torch.__version__, "epochs": epochs,
                "step": "StepLR(base 0.1, step_size 30, gamma 0.1)",
                "cosine": "CosineAnnealingLR(base 0.1, T_max 90, eta_min 1e-4)"}
    write_safetensors(os.path.join(output_dir, "sgd_lr_schedules.safetensors"),
                      {"step_lr": step, "cosine_lr": cosine}, metadata)


def main():
    output_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/data/golden/nn"
    os.makedirs(output_dir, exist_ok=True)
    torch.set_num_threads(1)
    for index, config in enumerate(CONV_CONFIGS):
        make_conv(output_dir, 100 + index, config)
    make_linear(output_dir, 200, "small", 5, 7, 3)
    make_linear(output_dir, 201, "wide", 16, 96, 10)
    for index, config in enumerate(SGD_CONFIGS):
        make_sgd(output_dir, 300 + index, config)
    make_schedules(output_dir)


if __name__ == "__main__":
    main()
