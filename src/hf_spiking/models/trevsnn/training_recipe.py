"""The official T-RevSNN ImageNet training recipe (``configs/small.yaml``), re-implemented with torch and PIL only.

* :class:`Lamb`: LAMB with a global gradient-norm clip (1.0) and trust-ratio clipping (``trust_clip``), the
  optimiser the official code takes from timm; weight decay 0.01 except on 1-D tensors and biases.
* :func:`adaptive_clip_grad_`: adaptive gradient clipping (AGC, clip 0.02): each output unit's gradient norm is
  capped at ``clip`` times that unit's weight norm.
* :class:`ExponentialMovingAverage`: an EMA (decay 0.9992) of every floating-point entry of the state dict.
* :class:`RandAugment` (``rand-m9-mstd0.5-inc1``), :class:`RandomErasing` (0.25, per-pixel noise) and
  :func:`training_transform` (random resized crop, flip, RandAugment, normalisation, erasing).
* :func:`warmup_cosine_schedule`: per-iteration linear warm-up then cosine decay between absolute learning rates.
"""

from __future__ import annotations

import math
import random

import numpy as np
import torch
from PIL import Image, ImageEnhance, ImageOps
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_FILL = tuple(round(255 * m) for m in IMAGENET_MEAN)  # geometric ops fill with the mean colour


# ----------------------------------------------------------------------------------------------------------------
# Optimisation
# ----------------------------------------------------------------------------------------------------------------


class Lamb(torch.optim.Optimizer):
    """LAMB (You et al., 2020) as configured by the official recipe.

    Per step: all gradients are divided by ``max(1, global_norm / max_grad_norm)``; Adam moments with bias
    correction give ``u = m_hat / (sqrt(v_hat) + eps)``; weight decay adds ``weight_decay * p``; where weight decay
    applies, ``u`` is scaled by the trust ratio ``||p|| / ||u||`` (1 when either norm is 0), capped at 1 with
    ``trust_clip``; then ``p -= lr * u``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01, max_grad_norm=1.0,
                 trust_clip=True):
        if not lr > 0:
            raise ValueError(f"Lamb `lr` must be > 0, got {lr!r}.")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, trust_clip=trust_clip)
        super().__init__(params, defaults)
        self.max_grad_norm = max_grad_norm

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        grads = [p.grad for group in self.param_groups for p in group["params"] if p.grad is not None]
        if not grads:
            return loss
        global_norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
        clip_divisor = (global_norm / self.max_grad_norm).clamp_min(1.0) if self.max_grad_norm else 1.0
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad / clip_divisor
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = (exp_avg_sq / (1 - beta2 ** state["step"])).sqrt_().add_(group["eps"])
                update = (exp_avg / (1 - beta1 ** state["step"])).div_(denom)
                if group["weight_decay"]:
                    update.add_(p, alpha=group["weight_decay"])
                    weight_norm, update_norm = p.norm(), update.norm()
                    ratio = torch.where((weight_norm > 0) & (update_norm > 0), weight_norm / update_norm, 1.0)
                    if group["trust_clip"]:
                        ratio = ratio.clamp_max(1.0)
                    update.mul_(ratio)
                p.add_(update, alpha=-group["lr"])
        return loss


def lamb_parameter_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Weight decay on every parameter except 1-D tensors and biases (the official split)."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def _unitwise_norm(x: torch.Tensor) -> torch.Tensor:
    if x.ndim <= 1:
        return torch.linalg.vector_norm(x)
    return torch.linalg.vector_norm(x, dim=tuple(range(1, x.ndim)), keepdim=True)


@torch.no_grad()
def adaptive_clip_grad_(parameters, clip: float = 0.02, eps: float = 1e-3) -> None:
    """AGC (Brock et al., 2021): per output unit, ``g *= min(1, clip * max(||w||, eps) / ||g||)``, in place."""
    for p in parameters:
        if p.grad is None:
            continue
        max_norm = _unitwise_norm(p).clamp_min(eps) * clip
        grad_norm = _unitwise_norm(p.grad)
        scale = torch.where(grad_norm > max_norm, max_norm / grad_norm.clamp_min(1e-6), 1.0)
        p.grad.mul_(scale)


def warmup_cosine_schedule(peak_lr: float, warmup_lr: float, min_lr: float, warmup_steps: int, total_steps: int):
    """A ``LambdaLR`` factor (relative to ``peak_lr``): linear from ``warmup_lr`` to ``peak_lr`` over
    ``warmup_steps``, then a cosine from ``peak_lr`` to ``min_lr`` at ``total_steps`` (per iteration)."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            lr = warmup_lr + (peak_lr - warmup_lr) * step / warmup_steps
        else:
            progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
            lr = min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))
        return lr / peak_lr

    return factor


class ExponentialMovingAverage:
    """``ema = decay * ema + (1 - decay) * value`` over every floating-point state-dict entry (buffers included);
    other entries (e.g. ``num_batches_tracked``) are copied."""

    def __init__(self, model: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA `decay` must lie in (0, 1), got {decay!r}.")
        self.decay = decay
        self.shadow = {name: value.detach().clone() for name, value in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        for name, value in model.state_dict().items():
            if value.is_floating_point():
                self.shadow[name].lerp_(value.detach(), 1.0 - self.decay)
            else:
                self.shadow[name].copy_(value)


# ----------------------------------------------------------------------------------------------------------------
# Augmentation (timm's RandAugment "increasing" operations, re-implemented with PIL)
# ----------------------------------------------------------------------------------------------------------------


def _signed(value: float) -> float:
    return value if random.random() < 0.5 else -value


def _affine(image: Image.Image, matrix) -> Image.Image:
    resample = random.choice((Image.Resampling.BILINEAR, Image.Resampling.BICUBIC))
    return image.transform(image.size, Image.Transform.AFFINE, matrix, resample=resample, fillcolor=_FILL)


def _enhance(enhancer):
    return lambda image, m: enhancer(image).enhance(1.0 + _signed(m / 10 * 0.9))


def _solarize_add(image: Image.Image, m: float) -> Image.Image:
    add = int(m / 10 * 110)
    lut = [min(255, i + add) if i < 128 else i for i in range(256)] * len(image.getbands())
    return image.point(lut)


_OPERATIONS = {
    "AutoContrast": lambda image, m: ImageOps.autocontrast(image),
    "Equalize": lambda image, m: ImageOps.equalize(image),
    "Invert": lambda image, m: ImageOps.invert(image),
    "Rotate": lambda image, m: image.rotate(
        _signed(m / 10 * 30), resample=Image.Resampling.BILINEAR, fillcolor=_FILL
    ),
    "PosterizeIncreasing": lambda image, m: ImageOps.posterize(image, max(1, 4 - int(m / 10 * 4))),
    "SolarizeIncreasing": lambda image, m: ImageOps.solarize(image, 256 - int(m / 10 * 256)),
    "SolarizeAdd": _solarize_add,
    "ColorIncreasing": _enhance(ImageEnhance.Color),
    "ContrastIncreasing": _enhance(ImageEnhance.Contrast),
    "BrightnessIncreasing": _enhance(ImageEnhance.Brightness),
    "SharpnessIncreasing": _enhance(ImageEnhance.Sharpness),
    "ShearX": lambda image, m: _affine(image, (1, _signed(m / 10 * 0.3), 0, 0, 1, 0)),
    "ShearY": lambda image, m: _affine(image, (1, 0, 0, _signed(m / 10 * 0.3), 1, 0)),
    "TranslateXRel": lambda image, m: _affine(image, (1, 0, _signed(m / 10 * 0.45) * image.size[0], 0, 1, 0)),
    "TranslateYRel": lambda image, m: _affine(image, (1, 0, 0, 0, 1, _signed(m / 10 * 0.45) * image.size[1])),
}


class RandAugment:
    """timm-style RandAugment from a policy string such as ``rand-m9-mstd0.5-inc1``: ``n`` operations (``-n``,
    default 2) drawn uniformly from the "increasing" set (``inc1``; the only set implemented), each applied with
    probability 0.5 at a magnitude drawn from N(m, mstd) clipped to [0, 10]."""

    def __init__(self, policy: str = "rand-m9-mstd0.5-inc1"):
        parts = policy.split("-")
        if parts[0] != "rand":
            raise ValueError(f"RandAugment `policy` must start with 'rand-', got {policy!r}.")
        self.magnitude, self.magnitude_std, self.num_ops = 10.0, 0.0, 2
        for part in parts[1:]:
            key = part.rstrip("0123456789.")
            value = part[len(key):]
            if key == "m":
                self.magnitude = float(value)
            elif key == "mstd":
                self.magnitude_std = float(value)
            elif key == "n":
                self.num_ops = int(value)
            elif key == "inc" and value == "1":
                continue
            else:
                raise ValueError(f"Unsupported RandAugment policy part {part!r} in {policy!r} (m, mstd, n, inc1).")
        self.policy = policy

    def __call__(self, image: Image.Image) -> Image.Image:
        for name in random.choices(list(_OPERATIONS), k=self.num_ops):
            if random.random() >= 0.5:
                continue
            magnitude = self.magnitude
            if self.magnitude_std > 0:
                magnitude = random.gauss(magnitude, self.magnitude_std)
            image = _OPERATIONS[name](image, min(10.0, max(0.0, magnitude)))
        return image


class RandomErasing:
    """With probability ``probability``, replaces one rectangle (area 2 % to 1/3 of the image, log-uniform aspect
    ratio in [0.3, 3.3]) of a normalised ``[C, H, W]`` tensor by standard-normal noise per pixel (10 tries)."""

    def __init__(self, probability: float = 0.25):
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"RandomErasing `probability` must lie in [0, 1], got {probability!r}.")
        self.probability = probability

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        if random.random() >= self.probability:
            return image
        channels, height, width = image.shape
        for _ in range(10):
            area = random.uniform(0.02, 1 / 3) * height * width
            aspect = math.exp(random.uniform(math.log(0.3), math.log(1 / 0.3)))
            h, w = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if 0 < h < height and 0 < w < width:
                top, left = random.randint(0, height - h), random.randint(0, width - w)
                image = image.clone()
                image[:, top:top + h, left:left + w] = torch.randn(channels, h, w, dtype=image.dtype)
                return image
        return image


def random_resized_crop(image: Image.Image, size: int, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)) -> Image.Image:
    """Inception-style crop: a random area fraction and log-uniform aspect ratio, resized to ``size`` (bilinear);
    falls back to the central crop of the clamped aspect ratio after 10 tries."""
    width, height = image.size
    for _ in range(10):
        area = random.uniform(*scale) * width * height
        aspect = math.exp(random.uniform(math.log(ratio[0]), math.log(ratio[1])))
        w, h = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            left, top = random.randint(0, width - w), random.randint(0, height - h)
            break
    else:
        aspect = min(max(width / height, ratio[0]), ratio[1])
        w, h = (width, int(round(width / aspect))) if width / height < aspect else (int(round(height * aspect)), height)
        left, top = (width - w) // 2, (height - h) // 2
    return image.resize((size, size), Image.Resampling.BILINEAR, box=(left, top, left + w, top + h))


def training_transform(size: int, rand_augment: str | None, erasing: float):
    """PIL image -> normalised ``[3, size, size]`` tensor: random resized crop, horizontal flip (0.5), RandAugment,
    ImageNet normalisation, random erasing."""
    augment = RandAugment(rand_augment) if rand_augment else None
    erase = RandomErasing(erasing) if erasing > 0 else None
    mean, std = torch.tensor(IMAGENET_MEAN).view(3, 1, 1), torch.tensor(IMAGENET_STD).view(3, 1, 1)

    def transform(image: Image.Image) -> torch.Tensor:
        image = random_resized_crop(image.convert("RGB"), size)
        if random.random() < 0.5:
            image = ImageOps.mirror(image)
        if augment is not None:
            image = augment(image)
        tensor = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
        tensor = (tensor - mean) / std
        return erase(tensor) if erase is not None else tensor

    return transform


__all__ = []  # training utilities of the fine-tuning job (hf_spiking.jobs.finetune_trevsnn), not model classes
