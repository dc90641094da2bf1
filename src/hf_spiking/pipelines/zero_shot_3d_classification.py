"""``pipeline("zero-shot-3d-classification")`` (registered by hf_spiking).

The implementation lives in the SVL family folder, ``models/spiking_point_encoder/pipeline_spiking_point_encoder.py``,
so that saved folders can carry it for ``trust_remote_code``; this module keeps the import path.
"""

from ..models.spiking_point_encoder.pipeline_spiking_point_encoder import ZeroShot3DClassificationPipeline

__all__ = ["ZeroShot3DClassificationPipeline"]
