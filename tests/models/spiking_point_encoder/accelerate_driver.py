"""MTA pretraining with Trainer, run by the `accelerate launch` test (two CPU processes, gloo).

Writes ``<output_dir>/rank<k>.json``: world size, distributed type, the per-process batch, the number of rows of every
InfoNCE call during training (the negatives: the whole global batch when features are gathered) and the
evaluation loss.
"""

import json
import sys
from pathlib import Path

import torch
from transformers import Trainer, TrainingArguments

import hf_spiking
from hf_spiking.models.spiking_point_encoder import modeling_spiking_point_encoder as modeling

PER_PROCESS_BATCH = 3


def main(output_dir: Path) -> None:
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    rows = [
        {"point_values": torch.rand(40, 6, generator=generator), "text_embeds": torch.randn(384, generator=generator)}
        for _ in range(12)
    ]
    info_nce_rows = []
    info_nce = modeling.symmetric_info_nce

    def counting_info_nce(a, b, logit_scale):
        info_nce_rows.append(a.shape[0])
        return info_nce(a, b, logit_scale)

    modeling.symmetric_info_nce = counting_info_nce
    config = hf_spiking.get_config("svl-pointformer-test", lambda_image=0.0, lambda_mse=0.0)
    model = modeling.SpikingPointEncoderForPreTraining(config)
    args = TrainingArguments(
        output_dir=str(output_dir), per_device_train_batch_size=PER_PROCESS_BATCH,
        per_device_eval_batch_size=PER_PROCESS_BATCH, max_steps=2, learning_rate=1e-3, report_to="none",
        use_cpu=True, save_strategy="no", logging_steps=1, remove_unused_columns=False, dataloader_drop_last=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=rows, eval_dataset=rows[:6])
    trainer.train()
    train_rows = list(info_nce_rows)
    metrics = trainer.evaluate()
    state = trainer.accelerator.state
    result = {
        "world_size": state.num_processes,
        "distributed_type": str(state.distributed_type),
        "backend": state.backend,
        "per_process_batch": PER_PROCESS_BATCH,
        "train_info_nce_rows": train_rows,
        "eval_loss": metrics["eval_loss"],
    }
    (output_dir / f"rank{state.process_index}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
