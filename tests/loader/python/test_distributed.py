# examples/pytorch_train.py under `torchrun --nproc_per_node 2` with gloo DDP on the CPU: the two ranks see
# disjoint shards that together cover every epoch, and the Eq. 1 loss falls.
import json
import os
import socket
import subprocess
import sys

from conftest import REPO, write_scenes

# torch 1.13's torchrun under Python 3.11 (Debian 12) parses its default --redirects/--tee "0" to None and fails
# ("'NoneType' object has no attribute 'get'": Python 3.11 no longer iterates a Flag's zero member). Any other
# value avoids that: 2 sends each rank's stderr to --log_dir and, teed, to the console as well.
TORCHRUN_PYTHON_311_WORKAROUND = ("--redirects", "2", "--tee", "2")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_torchrun_two_ranks_disjoint_shards_and_falling_loss(tmp_path):
    train = write_scenes(tmp_path / "scenes", 32)  # 320 images: 160 per rank, 5 batches of 32 natural per epoch
    log = tmp_path / "log.json"
    environment = dict(os.environ, OMP_NUM_THREADS="1")  # two ranks on two cores
    for variable in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        environment.pop(variable, None)
    epochs = 4
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
         "--master_port", str(free_port()), *TORCHRUN_PYTHON_311_WORKAROUND, "--log_dir", str(tmp_path / "logs"),
         str(REPO / "examples" / "pytorch_train.py"), "--data", str(train),
         "--epochs", str(epochs), "--log", str(log)],
        env=environment, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    logs = [json.loads((tmp_path / f"log.rank{rank}.json").read_text()) for rank in (0, 1)]
    for epoch in range(epochs):
        shards = [set(rank_log["items"][epoch]) for rank_log in logs]
        assert all(len(shard) == len(rank_log["items"][epoch]) == 160 for shard, rank_log in zip(shards, logs))
        assert not shards[0] & shards[1]  # disjoint
        assert shards[0] | shards[1] == set(range(320))  # together, the whole epoch
    # DDP all-reduced the gradients: the two ranks, trained on different shards, hold the same weights (the
    # summation order of the 2-rank all-reduce is the same on both, so equal to the last bit).
    assert logs[0]["weights"] == logs[1]["weights"]
    # The first epoch starts at chance, ln(10) x (1 + lambda) = 2.42; 20 steps of SGD bring it to about 2.07.
    for rank_log in logs:
        assert rank_log["losses"][-1] < 0.9 * rank_log["losses"][0], rank_log["losses"]
