"""Named presets of the SVL spiking point encoders (``hf_spiking.create_model("svl-pointformer-l")``)."""

from functools import partial

from ...assets import default_model_path, shipped_model_path
from ...data.modelnet import MODELNET40_CLASSES
from ...data.synthetic_scenes.generation import DETECTION_CLASSES
from ...data.synthetic_scenes.layout import SEMANTIC_CLASSES
from ...registry import ModelPreset
from .configuration_spiking_point_encoder import SpikingPointEncoderConfig
from .e3dsnn import E3DSNN_VARIANTS
from .modeling_spiking_point_encoder import (
    SpikingPointEncoderForObjectDetection,
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForSemanticSegmentation,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderModel,
)

# Official make(): width 384, 12 blocks, 6 heads, 512 groups of 32, tokenizer 256; the head is cat(cls, max) = 768
# wide, so the official (unused) 768 -> 1024 `project` layer is left out: 21.92 M effective parameters.
POINTFORMER_L = {
    "backbone": "pointformer",
    "hidden_size": 768,
    "transformer_hidden_size": 384,
    "num_hidden_layers": 12,
    "num_attention_heads": 6,
    "num_groups": 512,
    "group_size": 32,
    "tokenizer_hidden_size": 256,
}

# Tiny configurations for tests and examples (seconds on CPU).
POINTFORMER_TEST = {
    "backbone": "pointformer",
    "hidden_size": 64,
    "transformer_hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_groups": 16,
    "group_size": 8,
    "tokenizer_hidden_size": 32,
    "tokenizer_channels": (16, 32, 64),
    "position_embedding_hidden_size": 16,
    "text_embed_dim": 384,
    "image_embed_dim": 384,
}

# E-3DSNN-T/S/L/H (official widths and depths), pooled into the 1280-d OpenCLIP-bigG space. Backbone parameters
# (without the final 1x1 layer): T 1.87 M, S 3.27 M, L 17.32 M, H 46.56 M. SVL feeds E-3DSNN 10 000 points per cloud.
E3DSNN_PRESETS = {
    f"svl-e3dsnn-{name}": {"backbone": "e3dsnn", "num_points": 10_000, **kwargs}
    for name, kwargs in E3DSNN_VARIANTS.items()
}

# Spike PointNet (Ren et al., NeurIPS 2023) as SVL's third backbone, as the official Spiking PointNet code builds
# it: input T-Net (3x3 on xyz), per-point layers 64 -> feature T-Net (64x64) -> 128 -> 1024, each T-Net 64-128-1024,
# max pool, 512-256, pooled by a max over 1,024 points (PointNet's ModelNet40 setting). 2.80 M parameters with
# xyz + rgb input (2.66 M in the T-Nets); on xyz, exactly the official encoder's 2,803,529 (its 40-class classifier:
# 3.47 M). Its output is the 1024-wide global feature itself (no projection layer). The suffix "s" names its size
# among the SVL backbones: Spiking PointNet was published in this one size, the smallest next to E-3DSNN and the
# PointFormer.
POINTNET_S = {
    "backbone": "pointnet",
    "hidden_size": 1024,
    "pointnet_channels": (64, 128, 1024),
    "pointnet_input_transform": True,
    "pointnet_feature_transform": True,
    "num_points": 1024,
}

POINTNET_TEST = {
    "backbone": "pointnet",
    "hidden_size": 64,
    "pointnet_channels": (8, 8, 16, 16, 32),
    "pointnet_input_transform": True,
    "pointnet_feature_transform": True,
    "pointnet_transform_channels": (8, 16, 32, 16, 8),
    "text_embed_dim": 384,
    "image_embed_dim": 384,
}

E3DSNN_TEST = {
    "backbone": "e3dsnn",
    "hidden_size": 64,
    "stem_channels": 8,
    "encoder_channels": (8, 16),
    "encoder_depths": (1, 1),
    "voxel_size": 0.1,
    "text_embed_dim": 384,
    "image_embed_dim": 384,
}

# E-3DSNN as a spiking sparse U-Net for LiDAR semantic segmentation: x, y, z, intensity per point in metres (no
# unit-sphere normalisation), 0.2 m voxels, the synthetic scenes' 11 classes (hf_spiking.jobs.finetune_point_segmentation
# replaces them by the data set's). "-t" has E-3DSNN-T's encoder and the mirrored decoder, 2.72 M parameters.
E3DSNN_SEG_T = {
    "backbone": "e3dsnn",
    "in_channels": 4,
    "stem_channels": E3DSNN_VARIANTS["t"]["stem_channels"],
    "encoder_channels": E3DSNN_VARIANTS["t"]["encoder_channels"],
    "encoder_depths": E3DSNN_VARIANTS["t"]["encoder_depths"],
    "voxel_size": 0.2,
    "normalize_points": False,
    "id2label": dict(enumerate(SEMANTIC_CLASSES)),
}
E3DSNN_SEG_TEST = {**E3DSNN_SEG_T, "stem_channels": 8, "encoder_channels": (8, 16), "encoder_depths": (1, 1)}

# E-3DSNN as the sparse backbone of a CenterPoint-style LiDAR detector (hf_spiking.jobs.finetune_point_detection): x, y,
# z, intensity in metres, 0.1 m voxels in the synthetic scenes' 80 m x 80 m street, the BEV map taken after stage 3
# (0.8 m cells, 100 x 100; stage 4's 1.6 m cells would merge neighbouring people), a 64-wide spiking neck and heads,
# the synthetic scenes' four box classes. E-3DSNN-T's widths; 0.62 M parameters. `num_points` records the job's
# point budget per scan (dummy inputs and `hf-spiking energy` use it).
E3DSNN_DET_T = {
    "backbone": "e3dsnn",
    "in_channels": 4,
    "stem_channels": E3DSNN_VARIANTS["t"]["stem_channels"],
    "encoder_channels": E3DSNN_VARIANTS["t"]["encoder_channels"],
    "encoder_depths": E3DSNN_VARIANTS["t"]["encoder_depths"],
    "voxel_size": 0.1,
    "normalize_points": False,
    "num_points": 32768,
    "detection_point_cloud_range": (-40.0, -40.0, -3.0, 40.0, 40.0, 1.0),
    "detection_bev_stage": 3,
    "detection_neck_channels": (64, 64),
    "detection_head_channels": 64,
    "id2label": dict(enumerate(DETECTION_CLASSES)),
}
# Tiny: an 8 m x 8 m range, 0.25 m voxels, BEV after the second (last) stage: 1 m cells, 8 x 8.
E3DSNN_DET_TEST = {
    **E3DSNN_DET_T,
    "stem_channels": 8,
    "encoder_channels": (8, 16),
    "encoder_depths": (1, 1),
    "voxel_size": 0.25,
    "num_points": 256,
    "detection_point_cloud_range": (-4.0, -4.0, -2.0, 4.0, 4.0, 2.0),
    "detection_bev_stage": None,
    "detection_neck_channels": (16,),
    "detection_head_channels": 16,
    "detection_max_detections": 10,
}

# The shipped default (hf_spiking.jobs.pretrain_svl): a CPU-scale PointFormer on 512-point clouds, 32 groups of 16,
# aligned with all-MiniLM-L6-v2 (384-d) caption features. Its weights live in hf_spiking/assets/svl-default.
SVL_DEFAULT = {
    "backbone": "pointformer",
    "hidden_size": 192,
    "transformer_hidden_size": 96,
    "num_hidden_layers": 3,
    "num_attention_heads": 3,
    "num_groups": 32,
    "group_size": 16,
    "tokenizer_hidden_size": 64,
    "tokenizer_channels": (32, 8, 32),
    "position_embedding_hidden_size": 32,
    "text_embed_dim": 384,
    "image_embed_dim": 384,
    "prompt_templates": (
        "a point cloud of a {}.",
        "a 3D model of a {}.",
        "a {}.",
        "a photo of a {}.",
    ),
}

# The shipped ModelNet40 classifier (hf_spiking.jobs.finetune_point_classifier): svl-default's encoder with 64 groups,
# a 40-way head, trained on 1,024-point clouds. Its weights live in hf_spiking/assets/svl-modelnet40.
SVL_MODELNET40 = {
    **SVL_DEFAULT,
    "num_groups": 64,
    "num_points": 1024,
    "point_sampling": "random",
    "id2label": dict(enumerate(MODELNET40_CLASSES)),
}

# The shipped N-MNIST event-cloud classifier: svl-default's architecture with 64 groups on (x, y, t, p) clouds of
# 1,024 events, trained from scratch. Its weights live in hf_spiking/assets/svl-nmnist.
SVL_NMNIST = {
    **SVL_DEFAULT,
    "num_groups": 64,
    "in_channels": 4,
    "num_points": 1024,
    "point_sampling": "random",
    "id2label": {digit: str(digit) for digit in range(10)},
}


def _encoder_preset(name: str, config_kwargs: dict, description: str, **fields) -> ModelPreset:
    return ModelPreset(
        name=name,
        config_class=SpikingPointEncoderConfig,
        model_class=SpikingPointEncoderModel,
        config_kwargs=config_kwargs,
        description=description,
        **fields,
    )


def _shipped_classifier_preset(name: str, config_kwargs: dict, description: str) -> ModelPreset:
    """A fine-tuned classifier whose weights ship in ``hf_spiking/assets/<name>`` (pretrained=True loads them)."""
    return ModelPreset(
        name=name,
        config_class=SpikingPointEncoderConfig,
        model_class=SpikingPointEncoderForPointCloudClassification,
        config_kwargs=config_kwargs,
        description=f"{description} pretrained=True loads it offline.",
        pretrained_path=partial(shipped_model_path, name),
    )


PRESETS = (
    _encoder_preset(
        "svl-pointformer-l", POINTFORMER_L, "Spike-driven PointFormer-L (SVL, 21.92 M effective params, 768-d output)."
    ),
    _encoder_preset(
        "svl-pointformer-test",
        POINTFORMER_TEST,
        "Tiny Spike-driven PointFormer for tests (64-d output).",
        deprecated_aliases=("svl-pointformer-tiny",),
    ),
    *(
        _encoder_preset(name, kwargs, f"E-3DSNN-{name[-1].upper()} sparse-conv spiking ResNet (SVL, 1280-d output).")
        for name, kwargs in E3DSNN_PRESETS.items()
    ),
    _encoder_preset(
        "svl-e3dsnn-test",
        E3DSNN_TEST,
        "Tiny E-3DSNN for tests (two stages, 64-d output).",
        deprecated_aliases=("svl-e3dsnn-tiny",),
    ),
    *(
        ModelPreset(
            name=name,
            config_class=SpikingPointEncoderConfig,
            model_class=SpikingPointEncoderForSemanticSegmentation,
            config_kwargs=config_kwargs,
            description=f"{description} as a spiking sparse U-Net for LiDAR semantic segmentation (x, y, z, "
            "intensity in metres, 0.2 m voxels; spike_activation='relu' gives its ANN twin).",
        )
        for name, config_kwargs, description in (
            ("svl-e3dsnn-seg-t", E3DSNN_SEG_T, "E-3DSNN-T"),
            ("svl-e3dsnn-seg-test", E3DSNN_SEG_TEST, "Tiny E-3DSNN for tests (two stages)"),
        )
    ),
    *(
        ModelPreset(
            name=name,
            config_class=SpikingPointEncoderConfig,
            model_class=SpikingPointEncoderForObjectDetection,
            config_kwargs=config_kwargs,
            description=f"{description} as the sparse backbone of a CenterPoint-style LiDAR 3D detector (x, y, z, "
            "intensity in metres; BEV heatmaps and box regression; spike_activation='relu' gives its ANN twin).",
        )
        for name, config_kwargs, description in (
            ("svl-e3dsnn-det-t", E3DSNN_DET_T, "E-3DSNN-T (0.1 m voxels, 0.8 m BEV cells)"),
            ("svl-e3dsnn-det-test", E3DSNN_DET_TEST, "Tiny E-3DSNN for tests (two stages, 1 m BEV cells)"),
        )
    ),
    _encoder_preset(
        "svl-pointnet-s",
        POINTNET_S,
        "Spike PointNet (input and feature T-Nets, shared per-point MLP 64-128-1024, max pool; 2.80 M params, "
        "1024-d output).",
    ),
    _encoder_preset(
        "svl-pointnet-test", POINTNET_TEST, "Tiny Spike PointNet with both T-Nets for tests (64-d output)."
    ),
    ModelPreset(
        name="svl-default",
        config_class=SpikingPointEncoderConfig,
        model_class=SpikingPointEncoderForZeroShotClassification,
        config_kwargs=SVL_DEFAULT,
        description="Shipped zero-shot PointFormer trained on the synthetic shapes (pretrained=True loads it offline).",
        pretrained_path=default_model_path,
    ),
    _shipped_classifier_preset(
        "svl-modelnet40",
        SVL_MODELNET40,
        "Shipped ModelNet40 classifier: svl-default's encoder fine-tuned on the 40 classes (87.7 % test OA).",
    ),
    _shipped_classifier_preset(
        "svl-nmnist",
        SVL_NMNIST,
        "Shipped N-MNIST event-cloud classifier (x, y, t, p; 98 % with 8 votes on the 100 test recordings of the real "
        "subset; its event feature extractor is saved beside it).",
    ),
)

__all__ = [
    "E3DSNN_DET_T", "E3DSNN_DET_TEST", "E3DSNN_PRESETS", "E3DSNN_SEG_T", "E3DSNN_SEG_TEST", "E3DSNN_TEST",
    "POINTFORMER_L", "POINTFORMER_TEST", "POINTNET_S", "POINTNET_TEST", "SVL_DEFAULT",
    "SVL_MODELNET40", "SVL_NMNIST",
]
