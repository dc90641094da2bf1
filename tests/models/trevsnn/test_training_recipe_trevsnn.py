"""The official ImageNet recipe's pieces (hf_spiking.models.trevsnn.training_recipe) against hand-computed values."""

import math
import random

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from hf_spiking.models.trevsnn.training_recipe import (
    ExponentialMovingAverage,
    Lamb,
    RandAugment,
    RandomErasing,
    adaptive_clip_grad_,
    lamb_parameter_groups,
    random_resized_crop,
    training_transform,
    warmup_cosine_schedule,
)


def test_lamb_step_matches_the_hand_computed_update_with_trust_and_global_clipping():
    weight = nn.Parameter(torch.tensor([[3.0, 4.0]]))  # ||w|| = 5
    bias = nn.Parameter(torch.tensor([1.0]))
    weight.grad, bias.grad = torch.tensor([[6.0, 8.0]]), torch.tensor([0.0])  # global norm 10 -> divided by 10
    optimizer = Lamb([{"params": [weight], "weight_decay": 0.5}, {"params": [bias], "weight_decay": 0.0}], lr=0.1)
    optimizer.step()
    grad = torch.tensor([0.6, 0.8])
    # Step 1: m_hat = g, v_hat = g^2, so u = g / (|g| + eps); plus weight decay 0.5 * w.
    update = grad / (grad.abs() + 1e-6) + 0.5 * torch.tensor([3.0, 4.0])
    ratio = min(1.0, 5.0 / update.norm().item())  # trust ratio, clipped at 1
    assert weight.detach().view(-1).tolist() == pytest.approx((torch.tensor([3.0, 4.0]) - 0.1 * ratio * update).tolist())
    assert bias.item() == 1.0  # zero gradient, no decay: no move

    groups = lamb_parameter_groups(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)), 0.01)
    assert [len(g["params"]) for g in groups] == [1, 3] and [g["weight_decay"] for g in groups] == [0.01, 0.0]


def test_adaptive_clip_caps_each_unit_gradient_at_clip_times_its_weight_norm():
    weight = nn.Parameter(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    weight.grad = torch.tensor([[1.0, 0.0], [0.0, 0.01]])
    adaptive_clip_grad_([weight], clip=0.02)
    # Unit 0: max norm 0.02 * 5 = 0.1 < 1, rescaled to norm 0.1. Unit 1: weight norm 0 -> eps 1e-3, max 2e-5.
    assert weight.grad[0].tolist() == pytest.approx([0.1, 0.0])
    assert weight.grad[1].tolist() == pytest.approx([0.0, 2e-5])
    small = nn.Parameter(torch.tensor([1.0]))
    small.grad = torch.tensor([0.01])
    adaptive_clip_grad_([small], clip=0.02)
    assert small.grad.item() == pytest.approx(0.01)  # below the cap: unchanged


def test_warmup_cosine_schedule_and_ema():
    factor = warmup_cosine_schedule(peak_lr=1.0, warmup_lr=0.1, min_lr=0.01, warmup_steps=4, total_steps=14)
    assert [factor(s) for s in (0, 2, 4)] == pytest.approx([0.1, 0.55, 1.0])
    assert factor(9) == pytest.approx(0.01 + 0.5 * 0.99 * (1 + math.cos(math.pi / 2)))
    assert factor(14) == pytest.approx(0.01) and factor(20) == pytest.approx(0.01)

    model = nn.BatchNorm1d(2)
    ema = ExponentialMovingAverage(model, decay=0.75)
    with torch.no_grad():
        model.weight.fill_(5.0)
        model.num_batches_tracked.fill_(3)
    ema.update(model)
    assert ema.shadow["weight"].tolist() == [2.0, 2.0]  # 0.75 * 1 + 0.25 * 5
    assert ema.shadow["num_batches_tracked"].item() == 3
    with pytest.raises(ValueError, match="decay"):
        ExponentialMovingAverage(model, decay=1.0)


def test_rand_augment_policy_and_transforms_keep_the_image_size():
    augment = RandAugment("rand-m9-mstd0.5-inc1")
    assert (augment.magnitude, augment.magnitude_std, augment.num_ops) == (9.0, 0.5, 2)
    assert RandAugment("rand-m5-n3").num_ops == 3
    for bad in ("auto-m9", "rand-m9-xx1"):
        with pytest.raises(ValueError, match="RandAugment"):
            RandAugment(bad)
    random.seed(0)
    image = Image.fromarray((np.random.RandomState(0).rand(20, 30, 3) * 255).astype("uint8"))
    changed = 0
    for _ in range(20):
        out = augment(image)
        assert out.size == image.size and out.mode == "RGB"
        changed += not np.array_equal(np.asarray(out), np.asarray(image))
    assert 5 <= changed < 20  # each of 2 ops applies with probability 0.5 (3/4 of calls change the image)
    crop = random_resized_crop(image, 16)
    assert crop.size == (16, 16)
    tensor = training_transform(16, "rand-m9-mstd0.5-inc1", 0.25)(image)
    assert tensor.shape == (3, 16, 16) and tensor.dtype == torch.float32


def test_random_erasing_replaces_one_rectangle_with_noise():
    random.seed(1)
    torch.manual_seed(0)
    image = torch.zeros(3, 32, 32)
    assert torch.equal(RandomErasing(0.0)(image), image)
    erased = RandomErasing(1.0)(image)
    rows, cols = (erased[0] != 0).any(dim=1), (erased[0] != 0).any(dim=0)
    area = int(rows.sum()) * int(cols.sum())
    assert 0.02 * 32 * 32 * 0.5 <= area <= 32 * 32 / 3 * 1.5  # one rectangle of 2 % to 1/3 of the image (rounded)
    assert torch.equal(image, torch.zeros(3, 32, 32))  # the input is not modified
    with pytest.raises(ValueError, match="probability"):
        RandomErasing(1.5)
