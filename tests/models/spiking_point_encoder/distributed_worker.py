"""A worker process for the distributed MTA tests (two gloo processes, uneven local batches).

Each rank runs the pretraining head on its rows, back-propagates its loss and saves the loss and every parameter's
gradient as this rank computed it (before any averaging across processes).
"""

import torch

from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForPreTraining

ROWS_PER_RANK = ((0, 3), (3, 5))


def run_worker(rank, world_size, init_file, model_dir, inputs_path, result_path):
    torch.set_num_threads(1)  # forked from a process whose thread pool is already running
    torch.distributed.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        data = torch.load(inputs_path, weights_only=True)
        # The model computes in the inputs' precision (float64 for exact gradient comparisons).
        model = SpikingPointEncoderForPreTraining.from_pretrained(model_dir).eval().to(data["point_values"].dtype)
        start, stop = ROWS_PER_RANK[rank]
        output = model(**{name: value[start:stop] for name, value in data.items()})
        output.loss.backward()
        gradients = {name: p.grad for name, p in model.named_parameters() if p.grad is not None}
        torch.save(
            {"loss": output.loss.detach(), "text_proj_grad": model.text_proj.weight.grad, "gradients": gradients},
            result_path.format(rank=rank),
        )
    finally:
        torch.distributed.destroy_process_group()
