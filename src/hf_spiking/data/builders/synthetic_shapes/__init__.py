"""``datasets`` builder for the synthetic shapes corpus, and an exporter to a folder ``datasets.load_dataset`` reads.

datasets >= 4 (5.2 here) no longer runs local dataset scripts: ``load_dataset(folder)`` on a folder holding
``<folder name>.py`` raises "Dataset scripts are no longer supported". So the builder is used directly::

    from hf_spiking.data.builders.synthetic_shapes import SyntheticShapes
    builder = SyntheticShapes(config_name="small")
    builder.download_and_prepare()
    splits = builder.as_dataset()                  # DatasetDict(train/validation/test)

or exported once to Parquet plus a dataset card, after which the folder loads offline anywhere::

    export_synthetic_shapes("shapes_small", config_name="small")
    datasets.load_dataset("shapes_small")
"""

from .builder import SyntheticShapes, SyntheticShapesConfig, export_synthetic_shapes

__all__ = ["SyntheticShapes", "SyntheticShapesConfig", "export_synthetic_shapes"]
