"""A tiny OpenShape training corpus in the released layout (meta_data split lists, GPT-4 filtering verdicts and one
pickled dict per shape), written by the tests.

Every feature of shape ``i`` has ``i`` before the decimal point (``shape_of`` reads it back), so a test can tell
which shape an item came from; views, texts and captions differ in the decimals.
"""

import json

import numpy as np

DATASETS = ("Objaverse", "ShapeNet", "ABO", "3D-FUTURE")


def feature(shape_index: int, code: float, dim: int) -> np.ndarray:
    return np.full(dim, shape_index + code, dtype=np.float32)


def shape_of(features) -> int:
    """The index of the shape a feature row was written for."""
    return int(np.floor(float(np.asarray(features).reshape(-1)[0]) + 1e-4))


def write_openshape_corpus(root, num_shapes: int = 8, num_points: int = 64, dim: int = 32, seed: int = 0) -> list[dict]:
    """Writes ``root/meta_data`` and the shape files; returns the ``train_all`` entries. Shape ``i`` belongs to
    ``DATASETS[i % 4]``; Objaverse shapes with ``i % 8 == 0`` are in LVIS (left out of ``train_no_lvis``) and their
    raw texts are flagged "N" by the GPT-4 filter. Clouds are y-up: long along y."""
    rng = np.random.default_rng(seed)
    entries, verdicts = [], {}
    for i in range(num_shapes):
        dataset = DATASETS[i % len(DATASETS)]
        uid = f"{dataset.lower()}-{i:04d}"
        group = "000-000" if dataset == "Objaverse" else dataset.lower()
        data_path = f"objaverse-processed/merged_for_training_final/{dataset}/{group}/{uid}.npy"
        xyz = np.stack([rng.uniform(-0.3, 0.3, num_points), rng.uniform(-1, 1, num_points),
                        rng.uniform(-0.3, 0.3, num_points)], axis=1)
        texts = [f"{dataset} shape {i}", f"another name of shape {i}"]
        shape = {
            "dataset": dataset, "group": group, "id": uid,
            "xyz": xyz, "rgb": rng.uniform(0, 1, (num_points, 3)),
            "image_feat": np.stack([feature(i, 0.01 * view, dim) for view in range(12)]),
            "text": texts,
            "text_feat": [{"original": feature(i, 0.2 + 0.01 * t, dim), "prompt_avg": feature(i, 0.3 + 0.01 * t, dim)}
                          for t in range(len(texts))],
            "blip_caption": f"a blip caption of {i}",
            "blip_caption_feat": {"original": feature(i, 0.4, dim), "prompt_avg": feature(i, 0.41, dim)},
            "msft_caption": "" if i % 2 else f"an msft caption of {i}",
            "msft_caption_feat": {"original": feature(i, 0.5, dim), "prompt_avg": feature(i, 0.51, dim)},
            "retrieval_text": [f"retrieved {i}"],
            "retrieval_text_feat": [{"original": feature(i, 0.6, dim)}],
        }
        if dataset == "Objaverse":
            shape["thumbnail_feat"] = feature(i, 0.9, dim)
            verdicts[uid] = {"flag": "N" if i % 8 == 0 else "Y"}
        path = root / data_path
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, shape, allow_pickle=True)
        entries.append({"id": uid, "data_path": data_path, "dataset": dataset, "group": group})
    split = root / "meta_data" / "split"
    split.mkdir(parents=True, exist_ok=True)
    (split / "train_all.json").write_text(json.dumps(entries))
    no_lvis = [e for i, e in enumerate(entries) if not (e["dataset"] == "Objaverse" and i % 8 == 0)]
    (split / "train_no_lvis.json").write_text(json.dumps(no_lvis))
    (root / "meta_data" / "gpt4_filtering.json").write_text(json.dumps(verdicts))
    return entries
