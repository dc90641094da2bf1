"""Distributed MTA gives the gradients of single-process training on the concatenated batch.

Two gloo processes hold 3 + 2 rows of one 5-row batch (some rows without text, all three MTA terms on). Each
process back-propagates the global loss computed from the gathered features; DDP (what ``Trainer`` / ``accelerate``
wrap the model in) then *averages* every parameter gradient over the processes. The test compares that average --
for every encoder parameter, both projections and the logit scale -- with the gradients of one process running the
whole batch, to 1e-6, in float64 so that the comparison measures the gathering and not float32 rounding (gradients
reach ~6 here, where float32 rounding alone is ~5e-7). The model is in eval mode: in training mode each process's BatchNorm would normalise with its
own rows' statistics (the official runs use SyncBatchNorm for that), which is not what is tested here.
"""

import torch
import torch.multiprocessing as mp

import hf_spiking
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForPreTraining

from . import distributed_worker

TOLERANCE = 1e-6
WORLD_SIZE = 2


def five_row_batch():
    generator = torch.Generator().manual_seed(3)
    return {
        "point_values": torch.rand(5, 48, 6, generator=generator, dtype=torch.float64),
        "text_embeds": torch.randn(5, 32, generator=generator, dtype=torch.float64),
        "image_embeds": torch.randn(5, 32, generator=generator, dtype=torch.float64),
        "has_text": torch.tensor([True, False, True, True, False]),
    }


def run_two_processes(tmp_path, batch):
    torch.save(batch, tmp_path / "inputs.pt")
    result = str(tmp_path / "result_{rank}.pt")
    mp.start_processes(
        distributed_worker.run_worker,
        args=(WORLD_SIZE, str(tmp_path / "init"), str(tmp_path / "model"), str(tmp_path / "inputs.pt"), result),
        nprocs=WORLD_SIZE,
        start_method="fork",  # children inherit the imported packages: no second start-up
    )
    return [torch.load(result.format(rank=rank), weights_only=True) for rank in range(WORLD_SIZE)]


def test_ddp_averaged_gradients_equal_single_process_gradients(tmp_path):
    config = hf_spiking.get_config(
        "svl-pointformer-test", text_embed_dim=32, image_embed_dim=32, lambda_mse=0.5, logit_scale_init_value=10.0
    )
    torch.manual_seed(0)
    model = SpikingPointEncoderForPreTraining(config).eval()
    model.save_pretrained(tmp_path / "model")  # float32 on disk; both runs compute in float64
    model.double()
    batch = five_row_batch()
    single = model(**batch)
    single.loss.backward()
    reference = {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}
    ranks = run_two_processes(tmp_path, batch)

    for rank in ranks:  # every process computes the loss of the global batch
        torch.testing.assert_close(rank["loss"], single.loss.detach(), atol=TOLERANCE, rtol=0)
    assert set(ranks[0]["gradients"]) == set(ranks[1]["gradients"]) == set(reference)
    assert any(name.startswith("point_encoder.encoder.") for name in reference) and "logit_scale" in reference
    worst = 0.0
    for name, expected in reference.items():
        averaged = sum(rank["gradients"][name] for rank in ranks) / WORLD_SIZE  # what DDP applies
        worst = max(worst, (averaged - expected).abs().max().item())
        torch.testing.assert_close(averaged, expected, atol=TOLERANCE, rtol=0, msg=name)
    print(f"largest |DDP-averaged - single-process| gradient difference over {len(reference)} tensors: {worst:.2e}")
    # The logit scale enters each process's global loss directly: every process already holds the full gradient.
    for rank in ranks:
        torch.testing.assert_close(rank["gradients"]["logit_scale"], reference["logit_scale"], atol=TOLERANCE, rtol=0)
