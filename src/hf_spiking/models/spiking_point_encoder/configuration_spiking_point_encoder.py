"""Configuration of SVL's spiking point-cloud encoders (Spike-driven PointFormer, E-3DSNN, Spike PointNet) and their
MTA heads."""

from __future__ import annotations

import math
import string

from huggingface_hub.dataclasses import strict
from huggingface_hub.errors import StrictDataclassClassValidationError
from transformers import PreTrainedConfig

from .config_validation import checked_config

MAX_NUM_POINTS = 65_536
"""Most points one cloud may hold (configs' and feature extractors' `num_points`): 8x the PointFormer's 8,192 and
6.5x E-3DSNN's 10,000; beyond it sampling time and the models' memory grow with no use."""

BACKBONES = ("pointformer", "e3dsnn", "pointnet")
SPIKE_ACTIVATIONS = ("multispike", "relu")
SPARSE_CONV_BACKENDS = ("torch", "spconv")
REP_VLI_FOLDS = ("classifier", "final_layer")
POINT_SAMPLINGS = ("fps", "random")

# Each backbone's BatchNorm defaults in the official code: PyTorch's for the PointFormer and Spiking PointNet,
# (1e-3, 0.01) for E-3DSNN.
_BATCH_NORM_DEFAULTS = {"pointformer": (1e-5, 0.1), "e3dsnn": (1e-3, 0.01), "pointnet": (1e-5, 0.1)}


class SpikingPointEncoderConfigError(ValueError, StrictDataclassClassValidationError):
    """A bad `SpikingPointEncoderConfig` value: a ValueError naming the argument (also @strict's validation error)."""


@checked_config(SpikingPointEncoderConfigError)
@strict(accept_kwargs=True)
class SpikingPointEncoderConfig(PreTrainedConfig):
    r"""
    Configuration for [`SpikingPointEncoderModel`] and its heads (SVL, arXiv 2505.17674).

    Shared fields:
        backbone: `"pointformer"` (Spike-driven PointFormer), `"e3dsnn"` (sparse-conv spiking ResNet) or
            `"pointnet"` (Spike PointNet: shared per-point MLP and max pool, optional T-Nets).
        in_channels: channels per input point (6 = xyz + rgb; the first three are always xyz).
        hidden_size: width of the pooled point embedding the encoder returns (the space `text_proj`/`image_proj`
            map the teacher features into). For the PointFormer, a value other than the head width
            (`2 * transformer_hidden_size` with max pooling) adds the official, otherwise unused, `project` layer.
        max_level: D of the integer multi-spike neuron (spikes in {0..D}; 4 in SVL).
        spike_activation: `"multispike"` (the SNN) or `"relu"`: every spike neuron becomes a ReLU, giving the
            same encoder as a real-valued ANN (SVL's ANN comparison row).
        batch_norm_eps / batch_norm_momentum: BatchNorm settings; `None` picks the backbone's official value
            ((1e-5, 0.1) for the PointFormer and Spike PointNet, (1e-3, 0.01) for E-3DSNN).
        initializer_range: std of the truncated-normal init of Linear (and E-3DSNN submanifold conv) weights.

    PointFormer fields (official `make()` defaults = PointFormer-L):
        transformer_hidden_size (384), num_hidden_layers (12), num_attention_heads (6), mlp_ratio (4),
        num_groups (512 FPS centres), group_size (32 kNN neighbours), tokenizer_hidden_size (256, `encoder_dims`),
        tokenizer_channels (the hard-coded 128/256/512 widths of the mini-PointNet), position_embedding_hidden_size
        (128), use_max_pool (cls + max over group tokens; cls only when False).

    E-3DSNN fields (official E_3DSNN_T defaults):
        stem_channels, encoder_channels, encoder_depths, voxel_size (grid = trunc((xyz - min) / voxel_size)),
        merge_duplicate_voxels (the official code keeps one sparse site per point, even when several share a
        voxel; `True` averages the features of points that fall into the same voxel), sparse_conv_backend
        (`"torch"`: pure PyTorch on any device, `"spconv"`: the optional compiled library, same outputs).

    E-3DSNN segmentation decoder fields ([`SpikingPointEncoderForSemanticSegmentation`]; one entry per up step, from
    the deepest stage up to the stem's resolution, so as many entries as `encoder_channels`):
        decoder_channels: width of each up step; `None` mirrors the encoder (the width of the map it returns to:
            `encoder_channels[-2], ..., encoder_channels[0], stem_channels`).
        decoder_depths: E-3DSNN residual blocks after each up step's skip fusion; `None` mirrors `encoder_depths`
            (reversed).

    E-3DSNN detection fields ([`SpikingPointEncoderForObjectDetection`], CenterPoint-style; classes from `id2label`):
        detection_point_cloud_range: `(x_min, y_min, z_min, x_max, y_max, z_max)` in metres; points outside it are
            dropped and voxels are counted from its minimum (a fixed origin, so a cell is the same place in every
            cloud). Points are not normalised: `normalize_points` is not used by the detector.
        detection_bev_stage: the E-3DSNN map scattered into the bird's-eye-view grid (0: the stem, i: stage i;
            `None`: the last stage); BEV cells are `voxel_size * 2 ** stage` metres. Later stages are not run.
        detection_neck_channels: widths of the 2D neck's units (spike, 3x3 conv, BatchNorm; residual when the width
            is kept) on the BEV map.
        detection_head_channels: width of the heatmap and regression heads.
        detection_max_detections: heatmap peaks decoded per cloud (the top K before score threshold and NMS).
        detection_regression_weight: weight of the box-regression L1 loss beside the heatmap focal loss (0.25 in
            CenterPoint).

    Spike PointNet fields:
        pointnet_channels: widths of the shared per-point layers, (64, 64, 64, 128, 1024) as in PointNet without
            its feature transform; a Linear maps the last width to `hidden_size` when they differ.
        pointnet_input_transform: PointNet's input T-Net: a 3x3 matrix regressed from each cloud multiplies its
            xyz (the colour channels, read by the T-Net, pass unchanged).
        pointnet_feature_transform: PointNet's feature T-Net: a `pointnet_channels[0]`-square matrix regressed from
            the first layer's spikes multiplies them before the second layer (needs two or more layers).
        pointnet_transform_channels: the T-Nets' widths, three shared per-point layers then, after a max over the
            points, two fully connected layers ((64, 128, 1024, 512, 256) in PointNet).
        pointnet_feature_transform_weight: weight of the feature transform's orthogonality penalty
            `mean ||A A^T - I||_F` added to the classification loss (0.001 in Spiking PointNet).

    MTA / zero-shot fields:
        text_embed_dim / image_embed_dim: widths of the teacher features (1280 for OpenCLIP ViT-bigG-14).
        text_teacher / image_teacher: optional transformers model names or folders of frozen teachers that encode
            raw captions / images when the batch holds no precomputed `text_embeds` / `image_embeds`.
        text_teacher_pooling: how a plain text model's token states become one vector (`"mean"` over the attention
            mask as sentence-transformers does, `"cls"`, or `"pooler"`); CLIP-like models use `get_text_features`.
        lambda_text, lambda_image, lambda_mse: weights of the point-text InfoNCE, point-image InfoNCE and the
            MSE between the point embedding and `image_proj(image_embeds)` (the official configs switch MSE off;
            the paper uses 1).
        logit_scale_init_value: initial (learnable) logit scale, 1/0.07.
        prompt_templates: templates averaged when class names are encoded for zero-shot classification.
        rep_vli_fold: `None`, `"classifier"` (the text classifier folded into a bias-free Linear head) or
            `"final_layer"` (E-3DSNN only: also merged with the final 1x1 conv and the mean pool).

    Preprocessing the model was trained with (what [`SpikingPointFeatureExtractor.from_model_config`] and the
    pipeline use when no feature extractor is given; colour use is `in_channels == 6`):
        num_points: points per cloud (8192 for the PointFormer and 10 000 for E-3DSNN in SVL).
        point_sampling: `"fps"` (farthest-point sampling) or `"random"` (seeded random subset).
        swap_yz: swap the y and z axes (y-up data); normalize_points: centre and scale each cloud to the unit sphere.
        default_color: grey level given to clouds without colour; sampling_seed: seed of random sampling and padding.
    """

    model_type = "spiking_point_encoder"
    # Two feature extractors are registered for this type (points, events); a preprocessor_config.json that does not
    # name its class is read by AutoFeatureExtractor as the point one, which transformers looks up here.
    feature_extractor_type = "SpikingPointFeatureExtractor"
    # Trainer keeps only `logits` (and the loss) from the outputs at evaluation.
    keys_to_ignore_at_inference = [
        "loss_text", "loss_image", "loss_mse", "point_embeds", "text_embeds", "image_embeds", "logit_scale",
        "class_embeds", "pooler_output", "last_hidden_state", "center_indices", "hidden_states", "attentions",
        "input_transform", "feature_transform",
    ]

    backbone: str = "pointformer"
    in_channels: int = 6
    hidden_size: int = 768
    max_level: int = 4
    spike_activation: str = "multispike"
    batch_norm_eps: float | None = None
    batch_norm_momentum: float | None = None
    initializer_range: float = 0.02

    transformer_hidden_size: int = 384
    num_hidden_layers: int = 12
    num_attention_heads: int = 6
    mlp_ratio: float = 4.0
    num_groups: int = 512
    group_size: int = 32
    tokenizer_hidden_size: int = 256
    tokenizer_channels: tuple[int, ...] = (128, 256, 512)
    position_embedding_hidden_size: int = 128
    use_max_pool: bool = True

    stem_channels: int = 16
    encoder_channels: tuple[int, ...] = (16, 32, 64, 128)
    encoder_depths: tuple[int, ...] = (1, 1, 1, 1)
    voxel_size: float = 0.02
    merge_duplicate_voxels: bool = False
    sparse_conv_backend: str = "torch"
    decoder_channels: tuple[int, ...] | None = None
    decoder_depths: tuple[int, ...] | None = None
    detection_point_cloud_range: tuple[float, ...] = (-40.0, -40.0, -3.0, 40.0, 40.0, 1.0)
    detection_bev_stage: int | None = None
    detection_neck_channels: tuple[int, ...] = (64, 64)
    detection_head_channels: int = 64
    detection_max_detections: int = 100
    detection_regression_weight: float = 0.25

    pointnet_channels: tuple[int, ...] = (64, 64, 64, 128, 1024)
    pointnet_input_transform: bool = False
    pointnet_feature_transform: bool = False
    pointnet_transform_channels: tuple[int, ...] = (64, 128, 1024, 512, 256)
    pointnet_feature_transform_weight: float = 0.001

    text_embed_dim: int = 1280
    image_embed_dim: int = 1280
    text_teacher: str | None = None
    image_teacher: str | None = None
    text_teacher_pooling: str = "mean"
    lambda_text: float = 1.0
    lambda_image: float = 1.0
    lambda_mse: float = 1.0
    logit_scale_init_value: float = 1 / 0.07
    prompt_templates: tuple[str, ...] = ("a point cloud of a {}.",)
    rep_vli_fold: str | None = None

    num_points: int = 8192
    point_sampling: str = "fps"
    swap_yz: bool = False
    normalize_points: bool = True
    default_color: float = 0.4
    sampling_seed: int = 0

    def __post_init__(self, **kwargs):
        # JSON round trips turn tuples into lists; keep the documented tuple types.
        for name in (
            "tokenizer_channels", "encoder_channels", "encoder_depths", "pointnet_channels",
            "pointnet_transform_channels", "prompt_templates", "decoder_channels", "decoder_depths",
            "detection_point_cloud_range", "detection_neck_channels",
        ):
            value = getattr(self, name)
            if isinstance(value, list):
                setattr(self, name, tuple(value))
        default_eps, default_momentum = _BATCH_NORM_DEFAULTS.get(self.backbone, (1e-5, 0.1))
        if self.batch_norm_eps is None:
            self.batch_norm_eps = default_eps
        if self.batch_norm_momentum is None:
            self.batch_norm_momentum = default_momentum
        super().__post_init__(**kwargs)

    @property
    def pointformer_head_size(self) -> int:
        """Width of the PointFormer's cls (+ max-pool) head before the optional projection to `hidden_size`."""
        return self.transformer_hidden_size * (2 if self.use_max_pool else 1)

    def validate_backbone(self):
        if self.backbone not in BACKBONES:
            raise ValueError(f"`backbone` must be one of {BACKBONES}, got {self.backbone!r}.")
        if self.spike_activation not in SPIKE_ACTIVATIONS:
            raise ValueError(
                f"`spike_activation` must be one of {SPIKE_ACTIVATIONS}, got {self.spike_activation!r}."
            )
        if self.sparse_conv_backend not in SPARSE_CONV_BACKENDS:
            raise ValueError(
                f"`sparse_conv_backend` must be one of {SPARSE_CONV_BACKENDS}, got {self.sparse_conv_backend!r}."
            )
        if self.rep_vli_fold is not None and self.rep_vli_fold not in REP_VLI_FOLDS:
            raise ValueError(f"`rep_vli_fold` must be None or one of {REP_VLI_FOLDS}, got {self.rep_vli_fold!r}.")
        if self.rep_vli_fold == "final_layer" and self.backbone != "e3dsnn":
            raise ValueError("`rep_vli_fold='final_layer'` exists only for the e3dsnn backbone.")
        if self.point_sampling not in POINT_SAMPLINGS:
            raise ValueError(f"`point_sampling` must be one of {POINT_SAMPLINGS}, got {self.point_sampling!r}.")

    def validate_sizes(self):
        positive = {
            "in_channels": self.in_channels,
            "hidden_size": self.hidden_size,
            "max_level": self.max_level,
            "transformer_hidden_size": self.transformer_hidden_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_groups": self.num_groups,
            "group_size": self.group_size,
            "tokenizer_hidden_size": self.tokenizer_hidden_size,
            "position_embedding_hidden_size": self.position_embedding_hidden_size,
            "stem_channels": self.stem_channels,
            "text_embed_dim": self.text_embed_dim,
            "image_embed_dim": self.image_embed_dim,
            "num_points": self.num_points,
        }
        for name, value in positive.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
        if self.in_channels < 3:
            raise ValueError(f"`in_channels` must be >= 3 (xyz first), got {self.in_channels}.")
        if self.num_points > MAX_NUM_POINTS:
            raise ValueError(
                f"`num_points` must be at most {MAX_NUM_POINTS} (the feature extractor's bound on the work per cloud), "
                f"got {self.num_points}."
            )
        if self.transformer_hidden_size % self.num_attention_heads:
            raise ValueError(
                f"`transformer_hidden_size` ({self.transformer_hidden_size}) must be divisible by "
                f"`num_attention_heads` ({self.num_attention_heads})."
            )
        if int(self.transformer_hidden_size * self.mlp_ratio) < 1:
            raise ValueError(
                f"`mlp_ratio` must give an MLP of at least one unit (`int(transformer_hidden_size * mlp_ratio)` >= 1, "
                f"e.g. 4.0), got {self.mlp_ratio} with `transformer_hidden_size` {self.transformer_hidden_size}."
            )
        if self.num_labels < 1:
            raise ValueError(f"`num_labels` must be >= 1 (classes of the classification head), got {self.num_labels}.")
        if self.backbone == "pointformer" and max(self.num_groups, self.group_size) > self.num_points:
            raise ValueError(
                f"`num_groups` ({self.num_groups}) and `group_size` ({self.group_size}) must be at most `num_points` "
                f"({self.num_points}): the PointFormer picks its group centres and neighbours among the cloud's points."
            )
        if not 0 <= self.default_color <= 1:
            raise ValueError(f"`default_color` must be a grey level in [0, 1], got {self.default_color}.")
        if self.sampling_seed < 0:
            raise ValueError(f"`sampling_seed` must be a non-negative integer, got {self.sampling_seed}.")
        if len(self.tokenizer_channels) != 3 or any(c < 1 for c in self.tokenizer_channels):
            raise ValueError(
                f"`tokenizer_channels` must be three positive widths (first conv, second conv, fused conv), "
                f"got {self.tokenizer_channels!r}."
            )
        if not self.encoder_channels or len(self.encoder_channels) != len(self.encoder_depths):
            raise ValueError(
                f"`encoder_channels` {self.encoder_channels!r} and `encoder_depths` {self.encoder_depths!r} must be "
                "non-empty and of equal length."
            )
        if any(c < 1 for c in self.encoder_channels) or any(d < 1 for d in self.encoder_depths):
            raise ValueError("`encoder_channels` and `encoder_depths` must hold positive integers.")
        for name, smallest in (("decoder_channels", 1), ("decoder_depths", 0)):
            value = getattr(self, name)
            if value is not None and (
                len(value) != len(self.encoder_channels)
                or any(not isinstance(v, int) or isinstance(v, bool) or v < smallest for v in value)
            ):
                raise ValueError(
                    f"`{name}` must be None (mirror the encoder) or {len(self.encoder_channels)} integers >= {smallest}, "
                    f"one per encoder stage (up steps from the deepest), got {value!r}."
                )
        if not self.pointnet_channels or any(
            not isinstance(c, int) or isinstance(c, bool) or c < 1 for c in self.pointnet_channels
        ):
            raise ValueError(
                f"`pointnet_channels` must be a non-empty tuple of positive integer widths (e.g. (64, 64, 64, 128, "
                f"1024)), got {self.pointnet_channels!r}."
            )
        if len(self.pointnet_transform_channels) != 5 or any(
            not isinstance(c, int) or isinstance(c, bool) or c < 1 for c in self.pointnet_transform_channels
        ):
            raise ValueError(
                "`pointnet_transform_channels` must be five positive integer widths (three per-point layers, two "
                f"fully connected layers, e.g. (64, 128, 1024, 512, 256)), got {self.pointnet_transform_channels!r}."
            )
        if self.pointnet_feature_transform and len(self.pointnet_channels) < 2:
            raise ValueError(
                "`pointnet_feature_transform=True` transforms the first layer's output before the second layer, so "
                f"`pointnet_channels` must hold two or more widths, got {self.pointnet_channels!r}."
            )
        if self.pointnet_feature_transform_weight < 0:
            raise ValueError(
                f"`pointnet_feature_transform_weight` must be >= 0, got {self.pointnet_feature_transform_weight}."
            )
        if not self.voxel_size > 0:
            raise ValueError(f"`voxel_size` must be > 0, got {self.voxel_size}.")
        if not (self.batch_norm_eps > 0 and 0 <= self.batch_norm_momentum <= 1):
            raise ValueError(
                f"`batch_norm_eps` must be > 0 and `batch_norm_momentum` in [0, 1], got {self.batch_norm_eps}, "
                f"{self.batch_norm_momentum}."
            )
        if self.initializer_range < 0:
            raise ValueError(f"`initializer_range` must be >= 0, got {self.initializer_range}.")

    def validate_detection(self):
        bounds = self.detection_point_cloud_range
        if (
            len(bounds) != 6
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in bounds)
            or any(bounds[axis + 3] <= bounds[axis] for axis in range(3))
        ):
            raise ValueError(
                "`detection_point_cloud_range` must be six finite numbers (x_min, y_min, z_min, x_max, y_max, z_max) "
                f"with each maximum above its minimum, e.g. (-40, -40, -3, 40, 40, 1), got {bounds!r}."
            )
        stage = self.detection_bev_stage
        if stage is not None and (isinstance(stage, bool) or not 0 <= stage <= len(self.encoder_channels)):
            raise ValueError(
                f"`detection_bev_stage` must be None (the last stage) or an integer in "
                f"[0, {len(self.encoder_channels)}] (0: the stem, i: encoder stage i), got {stage!r}."
            )
        if not self.detection_neck_channels or any(
            not isinstance(c, int) or isinstance(c, bool) or c < 1 for c in self.detection_neck_channels
        ):
            raise ValueError(
                f"`detection_neck_channels` must be a non-empty tuple of positive integer widths (e.g. (64, 64)), got "
                f"{self.detection_neck_channels!r}."
            )
        for name in ("detection_head_channels", "detection_max_detections"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
        if self.detection_regression_weight < 0:
            raise ValueError(
                f"`detection_regression_weight` must be >= 0, got {self.detection_regression_weight}."
            )

    def validate_pretraining(self):
        for name in ("lambda_text", "lambda_image", "lambda_mse"):
            if getattr(self, name) < 0:
                raise ValueError(f"`{name}` must be >= 0, got {getattr(self, name)}.")
        if not self.logit_scale_init_value > 0:
            raise ValueError(f"`logit_scale_init_value` must be > 0, got {self.logit_scale_init_value}.")
        if self.text_teacher_pooling not in ("mean", "cls", "pooler"):
            raise ValueError(
                f"`text_teacher_pooling` must be 'mean', 'cls' or 'pooler', got {self.text_teacher_pooling!r}."
            )
        if not self.prompt_templates or any(_template_slots(t) != [""] for t in self.prompt_templates):
            raise ValueError(
                "`prompt_templates` must be a non-empty tuple of strings each holding exactly one '{}' slot (and no "
                f"other braces, e.g. 'a point cloud of a {{}}.'), got {self.prompt_templates!r}."
            )
        for name in ("text_teacher", "image_teacher"):
            teacher = getattr(self, name)
            if teacher is not None and (not isinstance(teacher, str) or not teacher.strip()):
                raise ValueError(f"`{name}` must be None or a model name or folder (a string), got {teacher!r}.")


def _template_slots(template) -> list | None:
    """The replacement fields of a format string (`[""]` for one `{}`), None when it is not one."""
    try:
        return [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except (TypeError, ValueError):
        return None


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
SpikingPointEncoderConfig.register_for_auto_class()

__all__ = ["SpikingPointEncoderConfig", "SpikingPointEncoderConfigError"]
