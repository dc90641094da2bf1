"""Trains a tiny T-RevSNN on real data that ships offline: scikit-learn's 1,797 handwritten digits (8x8, upsampled to
32x32, grey repeated to RGB), on a fixed stratified 80/20 split, and reports test top-1 (target: >= 95 % in under
10 minutes on 2 CPU cores).

    python scripts/benchmarks/train_trevsnn_digits.py --epochs 30 --output outputs/trevsnn_digits.json

Progress and the result table are printed: they are this program's output.
"""

import argparse
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import hf_spiking


def load_digits_split(seed: int = 0):
    """Fixed split of sklearn's digits as normalised ``[N, 3, 32, 32]`` tensors."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    images = F.interpolate(images, size=(32, 32), mode="bilinear", align_corners=False)
    images = ((images - 0.5) / 0.5).repeat(1, 3, 1, 1)
    labels = torch.tensor(digits.target)
    train_idx, test_idx = train_test_split(
        torch.arange(len(labels)).numpy(), test_size=0.2, random_state=seed, stratify=labels.numpy()
    )
    return images[train_idx], labels[train_idx], images[test_idx], labels[test_idx]


@torch.no_grad()
def accuracy(model, images, labels, batch_size=256) -> float:
    model.eval()
    correct = 0
    for start in range(0, len(labels), batch_size):
        logits = model(images[start : start + batch_size]).logits
        correct += (logits.argmax(-1) == labels[start : start + batch_size]).sum().item()
    return correct / len(labels)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="trevsnn-test")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=600.0, help="stop training after this many seconds")
    parser.add_argument("--output", default="outputs/trevsnn_digits.json")
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None) -> dict:
    args = parse_arguments(argv)

    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_digits_split(args.seed)
    model = hf_spiking.create_model(args.preset, num_labels=10)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(y_train) / args.batch_size)
    total_steps = args.epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / total_steps)))

    start = time.perf_counter()
    history = []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(y_train))
        running = 0.0
        for step in range(steps_per_epoch):
            index = order[step * args.batch_size : (step + 1) * args.batch_size]
            loss = model(x_train[index], labels=y_train[index]).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item()
        elapsed = time.perf_counter() - start
        test_top1 = accuracy(model, x_test, y_test)
        history.append({"epoch": epoch + 1, "train_loss": running / steps_per_epoch, "test_top1": test_top1, "seconds": elapsed})
        print(f"epoch {epoch + 1:3d}  loss {running / steps_per_epoch:.4f}  test top-1 {100 * test_top1:.2f} %  {elapsed:.0f} s")
        if elapsed > args.time_limit:
            print(f"time limit of {args.time_limit:.0f} s reached")
            break

    result = {
        "preset": args.preset,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_samples": len(y_train),
        "test_samples": len(y_test),
        "epochs_run": len(history),
        "test_top1": history[-1]["test_top1"],
        "train_seconds": history[-1]["seconds"],
        "torch_threads": torch.get_num_threads(),
        "target": {"test_top1": 0.95, "seconds": 600},
        "history": history,
    }
    print(f"| preset | test top-1 | seconds | epochs |\n|---|---|---|---|\n| {args.preset} | {100 * result['test_top1']:.2f} % "
          f"| {result['train_seconds']:.0f} | {result['epochs_run']} |")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2))
    return result


__all__ = []


if __name__ == "__main__":
    main()
