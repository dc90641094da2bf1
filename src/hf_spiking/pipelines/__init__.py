"""Custom transformers pipelines, registered with PIPELINE_REGISTRY when hf_spiking is imported."""
