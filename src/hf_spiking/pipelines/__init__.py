"""Custom transformers pipelines, registered with PIPELINE_REGISTRY once transformers.pipelines is imported
(see :mod:`hf_spiking.auto_registration`)."""
