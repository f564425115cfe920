#!/usr/bin/env python3
# A complete PyTorch training loop on genint batches with the paper's Eq. 1 loss (per-source mean cross-entropy × λ):
# fashion-scenes natural images + the demo generator's interventions. torchrun --nproc_per_node 2 runs it with DDP.
"""usage: [torchrun --nproc_per_node N] examples/pytorch_train.py --data SCENES/train [--epochs E] [--log OUT.json]

SCENES: `genint-data fashion-scenes --out SCENES --image-size 32`. Each rank trains on its own shard (genint takes
rank and world size from torch.distributed); DDP all-reduces the gradients (gloo, CPU). Debian 12's torch 1.13 on
Python 3.11 needs `torchrun --redirects 2 --tee 2 ...` (its default "0" fails to parse there)."""
import argparse, json, os  # noqa: E401

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

import genint

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser(usage=__doc__)
parser.add_argument("--data", required=True)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--strategy", default=os.path.join(REPO, "gan/demo/intervention-strategy.json"))
parser.add_argument("--log", help="per rank (OUT.json -> OUT.rank0.json): epoch losses and natural items seen")
args = parser.parse_args()
if "WORLD_SIZE" in os.environ:  # set by torchrun
    dist.init_process_group("gloo")
torch.manual_seed(0)  # the same initial weights on every rank (DDP also broadcasts rank 0's)
strategy = json.load(open(args.strategy))
keys = dict(strategy["interventional"]["keys"], generator=os.path.join(REPO, strategy["generator"]))
keys["directions"] = os.path.join(REPO, keys["directions"])
config = {"seed": 1, "deterministic": True, "image": {"size": 32, "layout": "float32_chw"}, "sources": [
    {"kind": "natural", "count": 32, "threads": 1, "root": args.data, "crop_scale_min": 0.35},
    dict(keys, kind="intervention", count=8, weight=strategy["lambda"], threads=1, chunk=8, label_count=10)]}
model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                      nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
if dist.is_initialized():
    model = nn.parallel.DistributedDataParallel(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
log = {"losses": [], "items": []}
with genint.Loader(config) as loader:  # the shard: rank and world size of the process group
    for epoch in range(args.epochs):
        total, items = 0.0, []
        for batch in loader:  # one epoch of this rank's shard, plus 8 interventions per batch
            losses = F.cross_entropy(model(batch.images), batch.labels.long(), reduction="none")
            sources = batch.sources.long()
            per_source = torch.bincount(sources, minlength=3).clamp(min=1)[sources]
            loss = (losses * batch.weights / per_source).sum()  # Eq. 1: Σ_s λ_s · mean_{i∈s} CE_i
            optimizer.zero_grad()
            loss.backward()  # DDP all-reduces the gradients here
            optimizer.step()
            total += loss.item()
            items += batch.items[sources == genint.NATURAL].tolist()
        log["losses"].append(total / len(loader))
        log["items"].append(items)
        print(f"rank {loader.rank}/{loader.world_size} epoch {epoch}: loss {log['losses'][-1]:.4f}", flush=True)
if args.log:  # with the weights' sum: all-reduced gradients keep the ranks' models equal
    with open(args.log.replace(".json", f".rank{loader.rank}.json"), "w") as file:
        json.dump(dict(log, weights=sum(float(p.double().sum()) for p in model.parameters())), file)
