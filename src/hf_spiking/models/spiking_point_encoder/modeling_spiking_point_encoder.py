"""SVL spiking point-cloud encoders as transformers models: embeddings, MTA pretraining, zero-shot (Rep-VLI) and
fine-tuning heads (classification; semantic segmentation with E-3DSNN as a sparse U-Net; LiDAR 3D object detection
with E-3DSNN as the backbone of a CenterPoint-style bird's-eye-view detector)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.utils import ModelOutput
from transformers.utils.generic import can_return_tuple

from .checkpoints import StrictLoadingMixin
from .class_prompts import checked_class_names, checked_templates
from .config_validation import checked_class_labels
from .configuration_spiking_point_encoder import SpikingPointEncoderConfig
from .detection import (
    HEATMAP_PRIOR_BIAS,
    BEVDetectionHead,
    HeatmapLogits,
    bev_stage,
    bev_stage_channels,
    decode_detections,
    detection_grid,
    detection_loss,
    encode_detection_targets,
    post_process_detections,
    random_points_in_range,
    scatter_to_bev,
    voxelize_in_range,
)
from .pointformer import SpikePointFormerEncoder
from .pointnet import SpikePointNetEncoder, pointnet_feature_transform_regularizer
from .segmentation import (
    SEGMENTATION_IGNORE_INDEX,
    E3DSNNSegmentationDecoder,
    checked_point_labels,
    voxelize_point_sites,
)
from .sparse_conv import SparseInverseConv3d, SubmanifoldConv3d
from .spiking import MultiSpike, write_standalone_module


@dataclass
class SpikingPointEncoderOutput(ModelOutput):
    r"""
    last_hidden_state (`torch.FloatTensor` of shape `(batch_size, 1 + num_groups, transformer_hidden_size)`):
        PointFormer token states after the final BatchNorm (cls token first). Spike PointNet: the per-point features
        `(batch_size, num_points, pointnet_channels[-1])` after the last BatchNorm, before the max pool. `None` for
        E-3DSNN.
    pooler_output (`torch.FloatTensor` of shape `(batch_size, hidden_size)`):
        The point-cloud embedding.
    center_indices (`torch.LongTensor` of shape `(batch_size, num_groups)`):
        PointFormer FPS centre indices into the input points; `None` for E-3DSNN.
    hidden_states (`tuple`, returned with `output_hidden_states=True`):
        PointFormer: the token states `(batch_size, 1 + num_groups, transformer_hidden_size)` entering the first
        block and leaving each block. E-3DSNN: the sparse feature maps (`SparseVoxelTensor`: site features,
        coordinates, batch size) leaving the stem and each stage. Spike PointNet: the per-point states
        `(batch_size, num_points, width)` leaving each layer (integer spikes, then the last layer's features).
    attentions (`tuple` of `torch.FloatTensor` of shape `(batch_size, num_heads, 1 + num_groups, 1 + num_groups)`,
        returned with `output_attentions=True`, PointFormer only): each block's spiking attention map, the integer
        score spikes `SN(Q K^T)` (no softmax).
    input_transform (`torch.FloatTensor` of shape `(batch_size, 3, 3)`, Spike PointNet with
        `pointnet_input_transform`): the input T-Net's matrix per cloud; the xyz row vectors are multiplied by it.
    feature_transform (`torch.FloatTensor` of shape `(batch_size, pointnet_channels[0], pointnet_channels[0])`,
        Spike PointNet with `pointnet_feature_transform`): the feature T-Net's matrix per cloud; the first layer's
        spikes are multiplied by it (its orthogonality penalty enters the classification loss).
    """

    last_hidden_state: torch.FloatTensor | None = None
    pooler_output: torch.FloatTensor | None = None
    center_indices: torch.LongTensor | None = None
    hidden_states: tuple | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None
    input_transform: torch.FloatTensor | None = None
    feature_transform: torch.FloatTensor | None = None


@dataclass
class SpikingPointEncoderPreTrainingOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `()`): the weighted MTA loss (over the global batch when distributed).
    loss_text / loss_image / loss_mse (`torch.FloatTensor` of shape `()`): its unweighted terms (`None` if absent).
    point_embeds (`torch.FloatTensor` of shape `(batch_size, hidden_size)`): L2-normalised point embeddings.
    text_embeds / image_embeds (`torch.FloatTensor` of shape `(batch_size, hidden_size)`): L2-normalised projected
        teacher features.
    logit_scale (`torch.FloatTensor` of shape `()`): the current (exponentiated) logit scale.
    """

    loss: torch.FloatTensor | None = None
    loss_text: torch.FloatTensor | None = None
    loss_image: torch.FloatTensor | None = None
    loss_mse: torch.FloatTensor | None = None
    point_embeds: torch.FloatTensor | None = None
    text_embeds: torch.FloatTensor | None = None
    image_embeds: torch.FloatTensor | None = None
    logit_scale: torch.FloatTensor | None = None


@dataclass
class SpikingPointZeroShotOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `()`): cross-entropy against `labels`, when given.
    logits (`torch.FloatTensor` of shape `(batch_size, num_classes)`): logit scale x cosine similarity between the
        point embedding and each class embedding.
    point_embeds (`torch.FloatTensor` of shape `(batch_size, hidden_size)`): L2-normalised point embeddings.
    class_embeds (`torch.FloatTensor` of shape `(num_classes, hidden_size)`): L2-normalised class embeddings.
    hidden_states / attentions: the encoder's, with `output_hidden_states` / `output_attentions` (see
        [`SpikingPointEncoderOutput`]).
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    point_embeds: torch.FloatTensor | None = None
    class_embeds: torch.FloatTensor | None = None
    hidden_states: tuple | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None


@dataclass
class SpikingPointClassifierOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `()`): cross-entropy against `labels`, when given (plus the weighted
        feature-transform penalty for Spike PointNet with `pointnet_feature_transform`).
    logits (`torch.FloatTensor` of shape `(batch_size, num_labels)`): class scores.
    pooler_output (`torch.FloatTensor` of shape `(batch_size, hidden_size)`): the point-cloud embedding.
    hidden_states / attentions: the encoder's, with `output_hidden_states` / `output_attentions` (see
        [`SpikingPointEncoderOutput`]).
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    pooler_output: torch.FloatTensor | None = None
    hidden_states: tuple | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None


@dataclass
class SpikingPointSegmentationOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `()`): cross-entropy averaged over the labelled points (label other than
        `SEGMENTATION_IGNORE_INDEX` = 255), when `labels` are given; 0 when no point is labelled.
    logits (`torch.FloatTensor` of shape `(batch_size, num_points, num_labels)`): class scores of every input point,
        its voxel's (points sharing a voxel get the same row).
    hidden_states (`tuple` of `SparseVoxelTensor`, returned with `output_hidden_states=True`): the encoder's maps
        leaving the stem and each stage, then the decoder's maps leaving each up step (the last at the stem's sites).
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    hidden_states: tuple | None = None


@dataclass
class SpikingPointDetectionOutput(ModelOutput):
    r"""
    loss (`torch.FloatTensor` of shape `()`): heatmap focal loss + `detection_regression_weight` x box L1 at the
        object centres, when `labels` are given.
    loss_heatmap / loss_regression (`torch.FloatTensor` of shape `()`): its two (unweighted) terms.
    logits (`torch.FloatTensor` of shape `(batch_size, num_labels, bev_x, bev_y)`): per-class centre heatmap logits
        on the bird's-eye-view grid (cell `(i, j)` covers `x_min + [i, i + 1) * cell`, `y_min + [j, j + 1) * cell`).
    box_regression (`torch.FloatTensor` of shape `(batch_size, 8, bev_x, bev_y)`): per cell, the centre offset in
        the cell (x, y), z, log length, log width, log height, sin(yaw), cos(yaw).
    pred_boxes (`torch.FloatTensor` of shape `(batch_size, detection_max_detections, 7)`): the boxes `(x, y, z, l, w,
        h, yaw)` (metres, LiDAR frame, z the box centre) at the top heatmap peaks, before score threshold and NMS
        (see `post_process_object_detection`).
    scores (`torch.FloatTensor` of shape `(batch_size, detection_max_detections)`): their heatmap probabilities,
        decreasing.
    pred_labels (`torch.LongTensor` of shape `(batch_size, detection_max_detections)`): their class indices.
    hidden_states (`tuple`, returned with `output_hidden_states=True`): the sparse maps (`SparseVoxelTensor`) leaving
        the stem and each stage that runs, then the BEV map `(batch_size, channels, bev_x, bev_y)`.
    """

    loss: torch.FloatTensor | None = None
    loss_heatmap: torch.FloatTensor | None = None
    loss_regression: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    box_regression: torch.FloatTensor | None = None
    pred_boxes: torch.FloatTensor | None = None
    scores: torch.FloatTensor | None = None
    pred_labels: torch.LongTensor | None = None
    hidden_states: tuple | None = None


def replace_spikes_with_relu(module: nn.Module) -> None:
    """Replaces every spike neuron under ``module`` by a ReLU: the ANN twin of ``spike_activation="relu"``."""
    spike_names = [name for name, child in module.named_modules() if isinstance(child, MultiSpike)]
    for name in spike_names:
        parent_name, _, child_name = name.rpartition(".")
        setattr(module.get_submodule(parent_name), child_name, nn.ReLU())


def build_point_backbone(config: SpikingPointEncoderConfig) -> nn.Module:
    """The backbone named by ``config.backbone``; each maps ``point_values [B, N, C]`` to ``[B, hidden_size]``.

    With ``config.spike_activation == "relu"`` every spike neuron is replaced by a ReLU (the ANN twin).
    """
    if config.backbone == "pointformer":
        backbone = SpikePointFormerEncoder(config)
    elif config.backbone == "pointnet":
        backbone = SpikePointNetEncoder(config)
    else:
        from .e3dsnn import E3DSNNEncoder

        backbone = E3DSNNEncoder(config)
    if config.spike_activation == "relu":
        replace_spikes_with_relu(backbone)
    return backbone


def check_point_values(point_values, in_channels: int) -> None:
    if not isinstance(point_values, torch.Tensor) or point_values.dim() != 3:
        shape = tuple(point_values.shape) if isinstance(point_values, torch.Tensor) else type(point_values).__name__
        raise ValueError(f"`point_values` must be a tensor of shape [batch, num_points, {in_channels}], got {shape}.")
    if point_values.shape[-1] != in_channels:
        raise ValueError(
            f"`point_values` has {point_values.shape[-1]} channels per point; this model expects {in_channels} "
            f"(xyz{' + rgb' if in_channels == 6 else ''})."
        )
    if point_values.shape[0] == 0 or point_values.shape[1] == 0:
        raise ValueError(
            f"`point_values` has shape {tuple(point_values.shape)}: a batch of 0 clouds or clouds of 0 points; "
            f"expected [batch >= 1, num_points >= 1, {in_channels}]."
        )
    if point_values.dtype == torch.bool or point_values.is_complex():
        raise ValueError(
            f"`point_values` must hold real coordinates (a float or integer dtype, cast to the model's), got "
            f"{point_values.dtype}."
        )
    if not torch.isfinite(point_values).all():
        raise ValueError("`point_values` contains NaN or infinite values.")
    # A cloud whose points all sit at one position has nothing to classify (a confident answer would be meaningless);
    # clouds with few distinct points are refused earlier, by the feature extractor, before it pads by repetition.
    xyz = point_values[..., :3].detach()
    collapsed = ((xyz.amax(1) - xyz.amin(1)).amax(-1) == 0).nonzero().flatten()
    if len(collapsed):
        raise ValueError(
            f"`point_values`[{int(collapsed[0])}] has 1 distinct xyz point (all its points at one position, zero "
            "extent); expected a cloud with some extent (a single point or a truncated file cannot be classified)."
        )


class _GatherRowsWithGradients(torch.autograd.Function):
    """All-gather of row blocks of any size whose backward sums the gathered gradient over processes.

    Every process computes the same global loss from the gathered rows, so the gradient that reaches a process's own
    rows is the sum of all processes' gradients for them, as ``torch.distributed.nn.all_gather`` (which the official
    code uses) gives: after DDP averages parameter gradients over the world size, they equal single-process training
    on the concatenated batch.
    """

    @staticmethod
    def forward(ctx, features: torch.Tensor, sizes: list[int], rank: int) -> torch.Tensor:
        padded = F.pad(features, (0, 0, 0, max(sizes) - features.shape[0])).contiguous()
        gathered = [torch.empty_like(padded) for _ in sizes]
        torch.distributed.all_gather(gathered, padded)
        ctx.sizes, ctx.rank = sizes, rank
        return torch.cat([part[:n] for part, n in zip(gathered, sizes)])

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        grad = grad.contiguous()
        torch.distributed.all_reduce(grad)
        start = sum(ctx.sizes[: ctx.rank])
        return grad[start : start + ctx.sizes[ctx.rank]], None, None


def _gather_rows(features: torch.Tensor) -> torch.Tensor:
    """Concatenates ``features`` [n_rank, D] of every process (sizes may differ), with gradients for every row
    (:class:`_GatherRowsWithGradients`).

    A no-op outside ``torch.distributed`` (which ``accelerate launch`` and ``torchrun`` set up).
    """
    if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
        return features
    world_size = torch.distributed.get_world_size()
    if world_size == 1:
        return features
    size = torch.tensor([features.shape[0]], device=features.device)
    sizes = [torch.zeros_like(size) for _ in range(world_size)]
    torch.distributed.all_gather(sizes, size)
    sizes = [int(s.item()) for s in sizes]
    return _GatherRowsWithGradients.apply(features, sizes, torch.distributed.get_rank())


def symmetric_info_nce(a: torch.Tensor, b: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """(CE(s a b^T, diag) + CE(s b a^T, diag)) / 2 for row-aligned, L2-normalised ``a`` and ``b``."""
    logits = logit_scale * a @ b.t()
    targets = torch.arange(a.shape[0], device=a.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets)) / 2


def encode_with_text_teacher(
    text_encoder: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, pooling: str = "mean"
) -> torch.Tensor:
    """One feature vector per text from a frozen transformers text model.

    CLIP-style models (``get_text_features`` or a ``text_embeds`` output) give their projected embedding; other
    models are pooled by ``pooling``: masked mean of the token states (sentence-transformers), ``cls`` or ``pooler``.
    """
    inputs = {"input_ids": input_ids}
    if attention_mask is not None:
        inputs["attention_mask"] = attention_mask
    if hasattr(text_encoder, "get_text_features"):
        features = text_encoder.get_text_features(**inputs)
        return features if isinstance(features, torch.Tensor) else features.pooler_output
    outputs = text_encoder(**inputs)
    if getattr(outputs, "text_embeds", None) is not None:
        return outputs.text_embeds
    if pooling == "pooler":
        return outputs.pooler_output
    hidden = outputs.last_hidden_state
    if pooling == "cls":
        return hidden[:, 0]
    mask = torch.ones(hidden.shape[:2], device=hidden.device) if attention_mask is None else attention_mask
    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def prompt_ensemble_embeddings(text_proj: nn.Module, prompt_features: torch.Tensor) -> torch.Tensor:
    """Unit class embeddings [K, hidden_size] from text-teacher features of the class prompts: [K, T,
    text_embed_dim] for T prompt templates per class, or [K, text_embed_dim] for one.

    CLIP's prompt ensembling: each template's ``text_proj`` embedding is L2-normalised, the unit vectors are averaged
    over the templates and the mean is normalised again, so that every template weighs the same whatever the norm
    of its embedding. With one template this is ``normalize(text_proj(features))``.
    """
    if prompt_features.dim() == 3 and prompt_features.shape[1] == 1:
        prompt_features = prompt_features[:, 0]
    if prompt_features.dim() == 2:  # skips the second normalisation, so one-template scores stay bit-identical
        return F.normalize(text_proj(prompt_features), dim=-1)
    if prompt_features.dim() != 3:
        raise ValueError(
            "Class prompt features must be [num_classes, text_embed_dim] or [num_classes, num_templates, "
            f"text_embed_dim], got shape {tuple(prompt_features.shape)}."
        )
    return F.normalize(F.normalize(text_proj(prompt_features), dim=-1).mean(1), dim=-1)


def encode_with_image_teacher(image_encoder: nn.Module, pixel_values: torch.Tensor) -> torch.Tensor:
    """One feature vector per image from a frozen transformers vision model (CLIP-style projection if it has one)."""
    if hasattr(image_encoder, "get_image_features"):
        features = image_encoder.get_image_features(pixel_values=pixel_values)
        return features if isinstance(features, torch.Tensor) else features.pooler_output
    outputs = image_encoder(pixel_values=pixel_values)
    if getattr(outputs, "image_embeds", None) is not None:
        return outputs.image_embeds
    return outputs.pooler_output


class SpikingPointEncoderPreTrainedModel(StrictLoadingMixin, PreTrainedModel):
    config: SpikingPointEncoderConfig
    base_model_prefix = "point_encoder"
    main_input_name = "point_values"
    _no_split_modules = ["SpikePointFormerLayer"]
    accepts_loss_kwargs = False

    @property
    def dummy_inputs(self) -> dict[str, torch.Tensor]:
        """Two random clouds in the model's input format: ``point_values [2, num_points, in_channels]``."""
        generator = torch.Generator().manual_seed(0)
        point_values = torch.rand(2, self.config.num_points, self.config.in_channels, generator=generator)
        return {"point_values": point_values.to(self.device, self.dtype)}

    def save_pretrained(self, save_directory, *args, **kwargs):
        super().save_pretrained(save_directory, *args, **kwargs)
        # The copied `spiking.py` shim imports hf_spiking; replace it by the self-contained spiking core.
        write_standalone_module(save_directory)

    def _init_weights(self, module):
        super()._init_weights(module)
        std = self.config.initializer_range
        # As in SVL: truncated normal for Linear and submanifold-conv weights (the strided convs keep their default).
        if isinstance(module, (nn.Linear, SubmanifoldConv3d)):
            init.trunc_normal_(module.weight, std=std)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, SparseInverseConv3d):
            # nn.Conv3d's default, as the strided convolutions keep; set here for decoders new to a loaded encoder.
            bound = 1.0 / math.sqrt(module.in_channels * module.kernel_size**3)
            init.uniform_(module.weight, -bound, bound)
        elif isinstance(module, SpikePointFormerEncoder):
            init.zeros_(module.cls_token)
            init.normal_(module.cls_position, std=1.0)
        elif hasattr(module, "logit_scale") and isinstance(module.logit_scale, nn.Parameter):
            init.constant_(module.logit_scale, math.log(self.config.logit_scale_init_value))


class SpikingPointEncoderModel(SpikingPointEncoderPreTrainedModel):
    """The spiking point encoder: ``point_values [B, N, C]`` -> pooled embedding ``[B, hidden_size]``.

    Loading a head checkpoint (e.g. the shipped zero-shot folder) with this class or ``AutoModel`` gives the bare
    encoder, as transformers does for its own base models: the head weights are reported as unused. Load heads with
    their class or ``hf_spiking.AutoModelForZeroShot3DClassification`` / ``AutoModelForPointCloudClassification``.
    """

    def __init__(self, config: SpikingPointEncoderConfig):
        super().__init__(config)
        self.encoder = build_point_backbone(config)
        self.post_init()

    @can_return_tuple
    def forward(
        self,
        point_values: torch.Tensor,
        output_hidden_states: bool | None = None,
        output_attentions: bool | None = None,
    ) -> SpikingPointEncoderOutput:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch_size, num_points, in_channels)`):
            xyz (+ rgb) per point, e.g. from [`SpikingPointFeatureExtractor`]; cast to the model's dtype.
        output_hidden_states (`bool`, *optional*): also return the per-block (PointFormer), per-stage (E-3DSNN) or
            per-layer (Spike PointNet) states; defaults to `config.output_hidden_states`.
        output_attentions (`bool`, *optional*): also return each PointFormer block's spiking attention map (the
            other backbones have no attention); defaults to `config.output_attentions`.
        """
        check_point_values(point_values, self.config.in_channels)
        if output_hidden_states is None:
            output_hidden_states = self.config.output_hidden_states
        if output_attentions is None:
            output_attentions = self.config.output_attentions
        # Processors make float32; a model loaded in another dtype (bf16, fp16) computes in its own.
        point_values = point_values.to(self.dtype)
        if isinstance(self.encoder, SpikePointFormerEncoder):
            features = self.encoder.forward_features(point_values, output_hidden_states, output_attentions)
            return SpikingPointEncoderOutput(
                last_hidden_state=features.last_hidden_state,
                pooler_output=self.encoder.pool(features.last_hidden_state),
                center_indices=features.groups.center_indices,
                hidden_states=features.hidden_states,
                attentions=features.attentions,
            )
        if output_attentions:
            raise ValueError(
                f"`output_attentions=True`: the {self.config.backbone!r} backbone has no attention (only the "
                "'pointformer' backbone has); leave it False."
            )
        if isinstance(self.encoder, SpikePointNetEncoder):
            features = self.encoder.forward_features(point_values, output_hidden_states)
            return SpikingPointEncoderOutput(
                last_hidden_state=features.last_hidden_state,
                pooler_output=self.encoder.pool(features.last_hidden_state),
                hidden_states=features.hidden_states,
                input_transform=features.input_transform,
                feature_transform=features.feature_transform,
            )
        if output_hidden_states:
            pooled, feature_maps = self.encoder(point_values, output_hidden_states=True)
            return SpikingPointEncoderOutput(pooler_output=pooled, hidden_states=feature_maps)
        return SpikingPointEncoderOutput(pooler_output=self.encoder(point_values))


class _TextTeacherMixin:
    """Frozen teacher encoders: attached objects, or loaded on first use from the names in the config.

    Teachers are kept outside the module tree, so they are never saved, moved by ``.to()`` or trained.
    """

    def attach_teachers(self, text_encoder=None, tokenizer=None, image_encoder=None):
        """Uses these (frozen) teacher models instead of the ones named in the config."""
        for name, value in (("text_encoder", text_encoder), ("tokenizer", tokenizer), ("image_encoder", image_encoder)):
            if value is not None:
                if isinstance(value, nn.Module):
                    value.requires_grad_(False).eval()
                self._teachers[name] = value
        return self

    def _teacher(self, name: str, device: torch.device):
        if name not in self._teachers:
            source = self.config.image_teacher if name == "image_encoder" else self.config.text_teacher
            if source is None:
                config_field = "image_teacher" if name == "image_encoder" else "text_teacher"
                raise ValueError(
                    f"No {name.replace('_', ' ')} available: pass precomputed embeddings, call `attach_teachers(...)`, "
                    f"or set `config.{config_field}` to a transformers model name or folder."
                )
            from transformers import AutoModel, AutoTokenizer

            from .text_teacher import resolve_text_teacher

            if name != "image_encoder":
                source = resolve_text_teacher(source)
            if name == "tokenizer":
                self._teachers[name] = AutoTokenizer.from_pretrained(source)
            else:
                self.attach_teachers(**{name: AutoModel.from_pretrained(source)})
        teacher = self._teachers[name]
        if isinstance(teacher, nn.Module):
            teacher.to(device)
        return teacher

    @torch.no_grad()
    def encode_texts(self, texts=None, input_ids=None, attention_mask=None) -> torch.Tensor:
        """Frozen text-teacher features [K, text_embed_dim] for raw ``texts`` or tokenised ``input_ids``."""
        device = self.logit_scale.device
        if input_ids is None:
            if not texts:
                raise ValueError("`texts` must be a non-empty list of strings.")
            tokens = self._teacher("tokenizer", device)(list(texts), padding=True, truncation=True, return_tensors="pt")
            input_ids, attention_mask = tokens["input_ids"], tokens.get("attention_mask")
        encoder = self._teacher("text_encoder", device)
        attention_mask = attention_mask.to(device) if attention_mask is not None else None
        pooling = self.config.text_teacher_pooling
        features = encode_with_text_teacher(encoder, input_ids.to(device), attention_mask, pooling)
        if features.shape[-1] != self.config.text_embed_dim:
            raise ValueError(
                f"The text teacher returns {features.shape[-1]}-d features but `config.text_embed_dim` is "
                f"{self.config.text_embed_dim}."
            )
        return features.float()


class SpikingPointEncoderForPreTraining(_TextTeacherMixin, SpikingPointEncoderPreTrainedModel):
    """MTA pretraining: the point embedding is aligned with frozen text and image teacher features.

    loss = lambda_text * InfoNCE(point, text) + lambda_image * InfoNCE(point, image)
           + lambda_mse * MSE(point, image_proj(image))

    Symmetric InfoNCE on L2-normalised embeddings with one learnable logit scale, learnable ``text_proj`` /
    ``image_proj`` adapters mapping the teacher features into the point space, rows without text left out of the
    text term, and features gathered across processes so the negatives span the global batch.
    """

    def __init__(self, config: SpikingPointEncoderConfig):
        super().__init__(config)
        self.point_encoder = SpikingPointEncoderModel(config)
        self.text_proj = nn.Linear(config.text_embed_dim, config.hidden_size)
        self.image_proj = nn.Linear(config.image_embed_dim, config.hidden_size)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(config.logit_scale_init_value)))
        self._teachers = {}
        self.post_init()

    @can_return_tuple
    def forward(
        self,
        point_values: torch.Tensor,
        text_embeds: torch.Tensor | None = None,
        image_embeds: torch.Tensor | None = None,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        pixel_values: torch.Tensor | None = None,
        has_text: torch.Tensor | None = None,
        return_loss: bool = True,
    ) -> SpikingPointEncoderPreTrainingOutput:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch_size, num_points, in_channels)`): the point clouds.
        text_embeds (`torch.FloatTensor` of shape `(batch_size, text_embed_dim)`, *optional*):
            precomputed teacher text features (e.g. OpenShape's OpenCLIP-bigG features).
        image_embeds (`torch.FloatTensor` of shape `(batch_size, image_embed_dim)`, *optional*):
            precomputed teacher image features.
        input_ids / attention_mask (*optional*): captions tokenised for the text teacher, used when `text_embeds`
            is not given.
        pixel_values (*optional*): rendered views for the image teacher, used when `image_embeds` is not given.
        has_text (`torch.BoolTensor` of shape `(batch_size,)`, *optional*): rows that have a caption; the others
            are left out of the point-text term.
        return_loss (`bool`, defaults to `True`): compute the MTA loss (also lets `Trainer` report eval loss).
        """
        point = self.point_encoder(point_values).pooler_output
        if text_embeds is None and input_ids is not None:
            text_embeds = self.encode_texts(input_ids=input_ids, attention_mask=attention_mask)
        if image_embeds is None and pixel_values is not None:
            with torch.no_grad():
                image_embeds = encode_with_image_teacher(self._teacher("image_encoder", point.device), pixel_values)
        point_embeds = F.normalize(point, dim=-1)
        text = self.text_proj(text_embeds.to(point.dtype)) if text_embeds is not None else None
        image = self.image_proj(image_embeds.to(point.dtype)) if image_embeds is not None else None
        text_normed = F.normalize(text, dim=-1) if text is not None else None
        image_normed = F.normalize(image, dim=-1) if image is not None else None
        scale = self.logit_scale.exp()

        loss = loss_text = loss_image = loss_mse = None
        if return_loss:
            if text is None and image is None:
                raise ValueError(
                    "MTA needs teacher features: pass `text_embeds` and/or `image_embeds`, or `input_ids` / "
                    "`pixel_values` with teachers named in the config."
                )
            terms = []
            if text is not None:
                keep = torch.ones_like(point[:, 0], dtype=torch.bool) if has_text is None else has_text.bool()
                points_with_text = _gather_rows(point_embeds[keep])
                if points_with_text.shape[0] > 0:
                    loss_text = symmetric_info_nce(points_with_text, _gather_rows(text_normed[keep]), scale)
                    terms.append(self.config.lambda_text * loss_text)
            if image is not None:
                loss_image = symmetric_info_nce(_gather_rows(point_embeds), _gather_rows(image_normed), scale)
                loss_mse = F.mse_loss(_gather_rows(point), _gather_rows(image))
                terms.append(self.config.lambda_image * loss_image)
                if self.config.lambda_mse:
                    terms.append(self.config.lambda_mse * loss_mse)
            loss = sum(terms) if terms else point.sum() * 0.0
        return SpikingPointEncoderPreTrainingOutput(
            loss=loss,
            loss_text=loss_text,
            loss_image=loss_image,
            loss_mse=loss_mse,
            point_embeds=point_embeds,
            text_embeds=text_normed,
            image_embeds=image_normed,
            logit_scale=scale.detach(),
        )


class SpikingPointEncoderForZeroShotClassification(_TextTeacherMixin, SpikingPointEncoderPreTrainedModel):
    """Zero-shot classification: cosine similarity between the point embedding and ``text_proj`` of class texts.

    With Rep-VLI (:meth:`fold_text_classifier`) the class matrix is computed once and stored as a bias-free Linear
    head (``classifier``), so inference needs neither class names nor a text encoder. Loads from a
    ``SpikingPointEncoderForPreTraining`` checkpoint (same ``point_encoder`` / ``text_proj`` / ``logit_scale``).
    """

    _keys_to_ignore_on_load_unexpected = [r"^image_proj\."]

    def __init__(self, config: SpikingPointEncoderConfig):
        super().__init__(config)
        self.point_encoder = SpikingPointEncoderModel(config)
        self.text_proj = nn.Linear(config.text_embed_dim, config.hidden_size)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(config.logit_scale_init_value)))
        self.classifier = (
            nn.Linear(config.hidden_size, config.num_labels, bias=False)
            if config.rep_vli_fold == "classifier"
            else None
        )
        if config.rep_vli_fold == "final_layer":  # E-3DSNN's final layer already maps sites to class scores
            final = self.point_encoder.encoder.final
            self.point_encoder.encoder.final = nn.Linear(final.in_features, config.num_labels)
        self._teachers = {}
        self.post_init()

    def class_embeddings(
        self,
        class_names: Sequence[str],
        text_encoder=None,
        tokenizer=None,
        templates: Sequence[str] | None = None,
    ) -> torch.Tensor:
        """Unit class embeddings [K, hidden_size]: each name through every template and the teacher, then
        :func:`prompt_ensemble_embeddings` (``text_proj``, normalised per template, averaged, normalised)."""
        class_names = checked_class_names(class_names, "class_names")
        templates = checked_templates(templates if templates is not None else self.config.prompt_templates, "templates")
        self.attach_teachers(text_encoder=text_encoder, tokenizer=tokenizer)
        prompts = [template.format(name) for name in class_names for template in templates]
        features = self.encode_texts(prompts).reshape(len(class_names), len(templates), -1)
        return prompt_ensemble_embeddings(self.text_proj, features)

    @torch.no_grad()
    def fold_text_classifier(
        self,
        class_names: Sequence[str],
        text_encoder=None,
        tokenizer=None,
        templates: Sequence[str] | None = None,
        fold_final_layer: bool = False,
    ) -> "SpikingPointEncoderForZeroShotClassification":
        """Rep-VLI: stores :meth:`class_embeddings` (``normalize(mean_t normalize(text_proj(teacher(template_t(name)))))``)
        as a bias-free Linear head.

        Afterwards the model classifies without a text encoder; ``id2label``/``label2id`` name the classes.
        ``fold_final_layer=True`` (E-3DSNN) then also merges the head into the final layer, see
        :meth:`fold_final_layer`.
        """
        self._store_folded_classifier(class_names, self.class_embeddings(class_names, text_encoder, tokenizer, templates))
        if templates is not None:
            self.config.prompt_templates = tuple(templates)
        return self.fold_final_layer() if fold_final_layer else self

    @torch.no_grad()
    def fold_class_embeddings(
        self, class_names: Sequence[str], class_embeds, fold_final_layer: bool = False
    ) -> "SpikingPointEncoderForZeroShotClassification":
        """Rep-VLI from precomputed teacher features of the classes (``class_embeds`` [K, text_embed_dim], array or
        tensor, e.g. OpenShape's ``cat_name_pt_feat.npy`` read by ``hf_spiking.data.read_class_embeddings``): stores
        ``normalize(text_proj(class_embeds))`` as the bias-free head, as :meth:`fold_text_classifier` does with
        features it computes. No text encoder is involved."""
        class_embeds = torch.as_tensor(class_embeds)
        if isinstance(class_names, str) or class_embeds.dim() != 2 or class_embeds.shape != (
            len(class_names), self.config.text_embed_dim
        ):
            raise ValueError(
                f"class_embeds must be [num_classes, text_embed_dim] = [{len(class_names)}, {self.config.text_embed_dim}]"
                f" for the {len(class_names)} class names, got {tuple(class_embeds.shape)}."
            )
        class_embeds = class_embeds.to(self.text_proj.weight.device, self.text_proj.weight.dtype)
        self._store_folded_classifier(class_names, prompt_ensemble_embeddings(self.text_proj, class_embeds))
        return self.fold_final_layer() if fold_final_layer else self

    def _store_folded_classifier(self, class_names: Sequence[str], weight: torch.Tensor) -> None:
        """Makes the unit class rows ``weight`` [K, hidden_size] the bias-free head and names the classes."""
        class_names = checked_class_names(class_names, "class_names")
        if self.config.rep_vli_fold == "final_layer":
            raise ValueError("This model's classes are already merged into its final layer; they cannot be re-folded.")
        self.classifier = nn.Linear(weight.shape[1], weight.shape[0], bias=False).to(weight.device)
        self.classifier.weight.copy_(weight)
        self.config.rep_vli_fold = "classifier"
        self.config.id2label = dict(enumerate(class_names))
        self.config.label2id = {name: i for i, name in enumerate(class_names)}

    @torch.no_grad()
    def fold_final_layer(self) -> "SpikingPointEncoderForZeroShotClassification":
        """E-3DSNN only: merges the final per-site linear layer (the official 1x1 conv, W_f, b_f), the per-cloud mean
        pool and the folded class matrix W into one layer with weight ``W W_f`` and bias ``W b_f`` (applied to the
        pooled last-stage features).

        All three are linear, so the class scores equal ``W f`` of the unfolded model (f = pooled embedding) and the
        1280-wide real-valued layer disappears. Scores are then no longer divided by ``|f|`` (which would need f):
        the predicted class is unchanged, softmax scores are sharper than the cosine ones.
        """
        if self.config.backbone != "e3dsnn":
            raise ValueError("`fold_final_layer` exists only for the e3dsnn backbone (its final layer is linear).")
        if self.classifier is None:
            raise ValueError("Fold the text classifier first: `fold_text_classifier(class_names, ...)`.")
        encoder = self.point_encoder.encoder
        class_weight = self.classifier.weight
        merged = nn.Linear(encoder.final.in_features, class_weight.shape[0]).to(class_weight.device)
        merged.weight.copy_(class_weight @ encoder.final.weight)
        merged.bias.copy_(class_weight @ encoder.final.bias)
        encoder.final = merged
        self.classifier = None
        self.config.rep_vli_fold = "final_layer"
        return self

    @can_return_tuple
    def forward(
        self,
        point_values: torch.Tensor,
        class_embeds: torch.Tensor | None = None,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        output_attentions: bool | None = None,
    ) -> SpikingPointZeroShotOutput:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch_size, num_points, in_channels)`): the point clouds.
        class_embeds (`torch.FloatTensor` of shape `(num_classes, text_embed_dim)` or `(num_classes, num_templates,
            text_embed_dim)`, *optional*): teacher text features of the class prompts, one or several templates per
            class (ensembled by [`prompt_ensemble_embeddings`]).
        input_ids / attention_mask (`(num_classes, seq_len)`, *optional*): class prompts tokenised for the text
            teacher; used when `class_embeds` is not given.
        labels (`torch.LongTensor` of shape `(batch_size,)`, *optional*): class indices for a cross-entropy loss.
        output_hidden_states / output_attentions (`bool`, *optional*): see [`SpikingPointEncoderModel.forward`].

        A folded model (``config.rep_vli_fold``) uses its stored head and needs none of these class inputs.
        """
        encoded = self.point_encoder(
            point_values, output_hidden_states=output_hidden_states, output_attentions=output_attentions
        )
        point = encoded.pooler_output
        if self.config.rep_vli_fold == "final_layer":
            if class_embeds is not None or input_ids is not None:
                raise ValueError(
                    "This model's classes are merged into its final layer: it scores only its stored classes "
                    f"{list(self.config.id2label.values())}; do not pass `class_embeds` / `input_ids`."
                )
            logits = self.logit_scale.exp() * point
            loss = F.cross_entropy(logits, labels.to(logits.device)) if labels is not None else None
            return SpikingPointZeroShotOutput(
                loss=loss, logits=logits, hidden_states=encoded.hidden_states, attentions=encoded.attentions
            )
        point_embeds = F.normalize(point, dim=-1)
        if self.classifier is not None and class_embeds is None and input_ids is None:
            class_weight = self.classifier.weight
        else:
            if class_embeds is None:
                if input_ids is None:
                    raise ValueError(
                        "This model has no folded text classifier: pass candidate labels (`class_embeds` or "
                        "tokenised `input_ids`), or call `fold_text_classifier(...)` first."
                    )
                class_embeds = self.encode_texts(input_ids=input_ids, attention_mask=attention_mask)
            class_weight = prompt_ensemble_embeddings(self.text_proj, class_embeds.to(point.dtype))
        logits = self.logit_scale.exp() * point_embeds @ class_weight.t()
        loss = F.cross_entropy(logits, labels.to(logits.device)) if labels is not None else None
        return SpikingPointZeroShotOutput(
            loss=loss,
            logits=logits,
            point_embeds=point_embeds,
            class_embeds=class_weight,
            hidden_states=encoded.hidden_states,
            attentions=encoded.attentions,
        )


class SpikingPointEncoderForPointCloudClassification(SpikingPointEncoderPreTrainedModel):
    """Fine-tuning head: Linear(hidden_size -> num_labels) on the point embedding, cross-entropy with ``labels``
    (plus ``pointnet_feature_transform_weight`` times the feature-transform penalty for Spike PointNet with its
    feature T-Net)."""

    def __init__(self, config: SpikingPointEncoderConfig):
        super().__init__(config)
        self.point_encoder = SpikingPointEncoderModel(config)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    @can_return_tuple
    def forward(
        self,
        point_values: torch.Tensor,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        output_attentions: bool | None = None,
    ) -> SpikingPointClassifierOutput:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch_size, num_points, in_channels)`): the point clouds.
        labels (`torch.LongTensor` of shape `(batch_size,)`, *optional*): class indices in `[0, num_labels)`.
        output_hidden_states / output_attentions (`bool`, *optional*): see [`SpikingPointEncoderModel.forward`].
        """
        encoded = self.point_encoder(
            point_values, output_hidden_states=output_hidden_states, output_attentions=output_attentions
        )
        pooled = encoded.pooler_output
        logits = self.classifier(pooled)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits, checked_class_labels(labels, self.config.num_labels, len(logits), logits.device))
            if encoded.feature_transform is not None:  # Spike PointNet's feature T-Net: keep its matrix orthogonal
                regularizer = pointnet_feature_transform_regularizer(encoded.feature_transform)
                loss = loss + self.config.pointnet_feature_transform_weight * regularizer
        return SpikingPointClassifierOutput(
            loss=loss,
            logits=logits,
            pooler_output=pooled,
            hidden_states=encoded.hidden_states,
            attentions=encoded.attentions,
        )


class SpikingPointEncoderForSemanticSegmentation(SpikingPointEncoderPreTrainedModel):
    """3D semantic segmentation: E-3DSNN as a spiking sparse U-Net (:mod:`.segmentation`), one row of class scores
    per input point.

    The encoder's maps (stem and strided stages) go back up through inverse sparse convolutions with skip connections
    to the stem's voxels, whose logits every point of the voxel takes. Clouds are voxelised whole in the units of
    `voxel_size` (metres for LiDAR scans, with `normalize_points=False`; the presets use 0.2 m), one site per voxel
    holding its points' mean features (`merge_duplicate_voxels` does not apply). `from_pretrained` of an E-3DSNN
    checkpoint of this family (encoder, pre-training or classification folder) loads the encoder and initialises the
    decoder and classifier; the encoder's pooled-embedding layer (`final`) is not part of this model.
    """

    # An encoder checkpoint's pooled-embedding layer, which this model leaves out.
    _keys_to_ignore_on_load_unexpected = [r"encoder\.final\."]

    def __init__(self, config: SpikingPointEncoderConfig):
        super().__init__(config)
        if config.backbone != "e3dsnn":
            raise ValueError(
                f"SpikingPointEncoderForSemanticSegmentation needs backbone='e3dsnn' (a voxel encoder-decoder), got "
                f"{config.backbone!r}."
            )
        if config.num_labels > SEGMENTATION_IGNORE_INDEX:
            raise ValueError(
                f"`num_labels` must be at most {SEGMENTATION_IGNORE_INDEX} for segmentation (label "
                f"{SEGMENTATION_IGNORE_INDEX} marks ignored points), got {config.num_labels}."
            )
        self.point_encoder = SpikingPointEncoderModel(config)
        # Per-point scores come from the decoder: the encoder's pooled-embedding layer has no use here.
        self.point_encoder.encoder.final = None
        self.decoder = E3DSNNSegmentationDecoder(config)
        if config.spike_activation == "relu":
            replace_spikes_with_relu(self.decoder)
        self.post_init()

    @can_return_tuple
    def forward(
        self,
        point_values: torch.Tensor,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
    ) -> SpikingPointSegmentationOutput:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch_size, num_points, in_channels)`): xyz first, then the other
            per-point features (e.g. LiDAR intensity), in the units of `config.voxel_size`.
        labels (`torch.LongTensor` of shape `(batch_size, num_points)`, *optional*): class ids in `[0, num_labels)`,
            or 255 (`SEGMENTATION_IGNORE_INDEX`) for points outside the loss.
        output_hidden_states (`bool`, *optional*): also return the encoder's and the decoder's sparse maps; defaults
            to `config.output_hidden_states`.
        """
        check_point_values(point_values, self.config.in_channels)
        if output_hidden_states is None:
            output_hidden_states = self.config.output_hidden_states
        point_values = point_values.to(self.dtype)
        encoder = self.point_encoder.encoder
        sparse, point_sites = voxelize_point_sites(point_values, encoder.voxel_size, 2 ** len(encoder.stages))
        feature_maps = encoder.sparse_feature_maps(sparse)
        voxel_logits, decoded_maps = self.decoder(feature_maps)
        batch_size, num_points = point_values.shape[:2]
        logits = voxel_logits.index_select(0, point_sites).view(batch_size, num_points, -1)
        loss = None
        if labels is not None:
            labels = checked_point_labels(labels, self.config.num_labels, (batch_size, num_points), logits.device)
            # Summed, then divided by the labelled count: the mean, and 0 rather than NaN when nothing is labelled.
            total = F.cross_entropy(
                logits.flatten(0, 1), labels.flatten(), ignore_index=SEGMENTATION_IGNORE_INDEX, reduction="sum"
            )
            loss = total / (labels != SEGMENTATION_IGNORE_INDEX).sum().clamp_min(1)
        return SpikingPointSegmentationOutput(
            loss=loss,
            logits=logits,
            hidden_states=tuple(feature_maps) + decoded_maps if output_hidden_states else None,
        )


class SpikingPointEncoderForObjectDetection(SpikingPointEncoderPreTrainedModel):
    """3D object detection from LiDAR points, CenterPoint style (:mod:`.detection`): E-3DSNN's sparse stages on
    voxels of a fixed point-cloud range, a bird's-eye-view map of one stage, a spiking 2D neck and per-class centre
    heatmaps with box regression.

    Points are ``(x, y, z, intensity)`` in metres (``in_channels`` = 4; not normalised), voxelised from
    ``detection_point_cloud_range``'s minimum with one site per voxel holding its points' mean
    (``merge_duplicate_voxels`` does not apply). Classes come from ``id2label``. ``from_pretrained`` of an E-3DSNN checkpoint of this family (an
    encoder, pre-training or classification folder) loads the encoder and initialises the BEV neck and heads; the
    encoder's pooled-embedding layer (``final``) and the stages after ``detection_bev_stage`` are not part of this
    model. :meth:`post_process_object_detection` turns the decoded top-K into final detections (threshold, rotated
    NMS), as ``DetrImageProcessor.post_process_object_detection`` does for DETR.
    """

    # An encoder checkpoint's pooled-embedding layer and stages past the BEV stage, which this model leaves out.
    _keys_to_ignore_on_load_unexpected = [r"encoder\.final\.", r"encoder\.stages\.\d+\."]

    def __init__(self, config: SpikingPointEncoderConfig):
        super().__init__(config)
        if config.backbone != "e3dsnn":
            raise ValueError(
                f"SpikingPointEncoderForObjectDetection needs backbone='e3dsnn' (a sparse voxel backbone), got "
                f"{config.backbone!r}."
            )
        self.grid = detection_grid(config)
        self.point_encoder = SpikingPointEncoderModel(config)
        encoder = self.point_encoder.encoder
        # Boxes come from the BEV heads: the pooled-embedding layer and the stages past the BEV stage have no use here.
        encoder.final = None
        encoder.stages = encoder.stages[: bev_stage(config)]
        self.detection_head = BEVDetectionHead(config, bev_stage_channels(config))
        if config.spike_activation == "relu":
            replace_spikes_with_relu(self.detection_head)
        self.post_init()

    @property
    def dummy_inputs(self) -> dict[str, torch.Tensor]:
        """Two random clouds inside the detection range: ``point_values [2, num_points, in_channels]``."""
        generator = torch.Generator().manual_seed(0)
        point_values = random_points_in_range(self.grid, 2, self.config.num_points, self.config.in_channels, generator)
        return {"point_values": point_values.to(self.device, self.dtype)}

    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, HeatmapLogits):
            init.constant_(module.bias, HEATMAP_PRIOR_BIAS)

    @can_return_tuple
    def forward(
        self,
        point_values: torch.Tensor,
        point_mask: torch.Tensor | None = None,
        labels: list[dict[str, torch.Tensor]] | None = None,
        output_hidden_states: bool | None = None,
    ) -> SpikingPointDetectionOutput:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch_size, num_points, in_channels)`): x, y, z in metres (LiDAR
            frame), then the other per-point features (intensity); points outside `detection_point_cloud_range` are
            dropped.
        point_mask (`torch.BoolTensor` of shape `(batch_size, num_points)`, *optional*): True for real points, False
            for the padding of clouds with fewer points than the batch's largest.
        labels (`list[dict]`, *optional*): one dict per cloud, `{"boxes": [M, 7], "class_labels": [M]}` with boxes
            `(x, y, z, l, w, h, yaw)` (z the centre, yaw about +z from +x, l along the heading) and class indices
            into `id2label` (the DETR convention); boxes whose centre lies outside the BEV grid are left out.
        output_hidden_states (`bool`, *optional*): also return the sparse maps and the BEV map; defaults to
            `config.output_hidden_states`.
        """
        check_point_values(point_values, self.config.in_channels)
        if output_hidden_states is None:
            output_hidden_states = self.config.output_hidden_states
        point_values = point_values.to(self.dtype)
        sparse = voxelize_in_range(point_values, self.grid, point_mask)
        feature_maps = self.point_encoder.encoder.sparse_feature_maps(sparse)
        bev = scatter_to_bev(feature_maps[-1], self.grid.bev_shape)
        heatmap_logits, box_regression = self.detection_head(bev)
        pred_boxes, scores, pred_labels = decode_detections(
            heatmap_logits, box_regression, self.grid, self.config.detection_max_detections
        )
        loss = loss_heatmap = loss_regression = None
        if labels is not None:
            targets = encode_detection_targets(
                labels, self.grid, self.config.num_labels, point_values.shape[0], heatmap_logits.device
            )
            loss, loss_heatmap, loss_regression = detection_loss(
                heatmap_logits, box_regression, targets, self.config.detection_regression_weight
            )
        return SpikingPointDetectionOutput(
            loss=loss,
            loss_heatmap=loss_heatmap,
            loss_regression=loss_regression,
            logits=heatmap_logits,
            box_regression=box_regression,
            pred_boxes=pred_boxes,
            scores=scores,
            pred_labels=pred_labels,
            hidden_states=(*feature_maps, bev) if output_hidden_states else None,
        )

    def post_process_object_detection(
        self, outputs: SpikingPointDetectionOutput, threshold: float = 0.1, nms_iou: float = 0.1
    ) -> list[dict[str, torch.Tensor]]:
        """Final detections per cloud, ``{"scores" [K], "labels" [K], "boxes" [K, 7]}`` sorted by decreasing score:
        the decoded peaks scoring above ``threshold``, then rotated NMS per class (BEV IoU above ``nms_iou``
        suppressed; :func:`hf_spiking.metrics.detection.rotated_nms`)."""
        return post_process_detections(
            outputs["pred_boxes"], outputs["scores"], outputs["pred_labels"], threshold, nms_iou
        )


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
# Every head is written under auto_map["AutoModel"], so a saved head reloads as itself.
for _model_class in (
    SpikingPointEncoderModel,
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForSemanticSegmentation,
    SpikingPointEncoderForObjectDetection,
):
    _model_class.register_for_auto_class("AutoModel")

__all__ = [
    "SpikingPointClassifierOutput",
    "SpikingPointDetectionOutput",
    "SpikingPointEncoderForObjectDetection",
    "SpikingPointEncoderForPointCloudClassification",
    "SpikingPointEncoderForPreTraining",
    "SpikingPointEncoderForSemanticSegmentation",
    "SpikingPointEncoderForZeroShotClassification",
    "SpikingPointEncoderModel",
    "SpikingPointEncoderOutput",
    "SpikingPointEncoderPreTrainedModel",
    "SpikingPointEncoderPreTrainingOutput",
    "SpikingPointSegmentationOutput",
    "SpikingPointZeroShotOutput",
    "build_point_backbone",
    "replace_spikes_with_relu",
]
