"""A worker process for the distributed MTA test (two gloo processes, uneven local batches)."""

import torch

from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForPreTraining

ROWS_PER_RANK = ((0, 3), (3, 5))


def run_worker(rank, world_size, init_file, model_dir, inputs_path, result_path):
    torch.set_num_threads(1)  # forked from a process whose thread pool is already running
    torch.distributed.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        model = SpikingPointEncoderForPreTraining.from_pretrained(model_dir).eval()
        data = torch.load(inputs_path, weights_only=True)
        start, stop = ROWS_PER_RANK[rank]
        output = model(**{name: value[start:stop] for name, value in data.items()})
        output.loss.backward()
        torch.save(
            {"loss": output.loss.detach(), "text_proj_grad": model.text_proj.weight.grad},
            result_path.format(rank=rank),
        )
    finally:
        torch.distributed.destroy_process_group()
