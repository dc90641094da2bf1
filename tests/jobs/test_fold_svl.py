"""The documented recipe from official SVL weights to text-free zero-shot evaluation (model_cards/svl-e3dsnn-h.md),
end to end on a tiny random checkpoint with the official key names and layout (the E-3DSNN-T golden fixture's
encoder in a DDP-prefixed training checkpoint with text_proj / image_proj / logit_scale) and OpenShape evaluation
files for ModelNet40, Objaverse-LVIS and ScanObjectNN in their released formats (1280-d class embeddings)."""

import json
import math

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from hf_spiking.data.modelnet import MODELNET40_CLASSES
from hf_spiking.data.openshape import SCANOBJECTNN_CLASSES
from hf_spiking.jobs import eval_zero_shot, fold_svl
from hf_spiking.models.spiking_point_encoder import convert_svl_original_to_hf
from hf_spiking.models.spiking_point_encoder.zero_shot import zero_shot_logits

CLIP_DIM = 1280
NUM_POINTS = 256


def pickled_class_embeddings(path, names, rng):
    """OpenShape's {category: {"open_clip_text_feat": (1, 1280)}} dict, in a shuffled order."""
    order = rng.permutation(len(names))
    table = {names[i]: {"open_clip_text_feat": rng.standard_normal((1, CLIP_DIM)).astype(np.float32)} for i in order}
    np.save(path, table, allow_pickle=True)


@pytest.fixture(scope="module")
def meta_data(tmp_path_factory):
    rng = np.random.default_rng(0)
    root = tmp_path_factory.mktemp("openshape")
    meta = root / "meta_data"
    (meta / "modelnet40").mkdir(parents=True)
    (meta / "split").mkdir()
    (meta / "scanobjectnn").mkdir()
    split = [{"name": f"{c}_0001", "category": c} for c in ("airplane", "flower_pot", "xbox")]
    (meta / "modelnet40" / "test_split.json").write_text(json.dumps(split))
    clouds = np.empty(3, dtype=object)
    for i in range(3):
        clouds[i] = {"xyz": rng.uniform(-1, 1, (600, 3)), "rgb": rng.uniform(0, 255, (600, 3))}
    np.save(meta / "modelnet40" / "test_pc.npy", clouds, allow_pickle=True)
    pickled_class_embeddings(meta / "modelnet40" / "cat_name_pt_feat.npy", list(MODELNET40_CLASSES), rng)
    entries = []
    for i, category in enumerate(("wine_bottle", "armchair", "wine_bottle")):
        path = root / "objaverse" / f"uid{i}.npy"
        path.parent.mkdir(exist_ok=True)
        np.save(path, {"xyz": rng.uniform(-1, 1, (500, 3)), "rgb": rng.uniform(0, 1, (500, 3))}, allow_pickle=True)
        entries.append({"uid": f"uid{i}", "category": category, "group": "000", "data_path": f"objaverse/uid{i}.npy"})
    (meta / "split" / "lvis.json").write_text(json.dumps(entries))
    np.save(meta / "lvis_cat_name_pt_feat.npy", rng.standard_normal((2, CLIP_DIM)).astype(np.float32))  # plain array
    xyz = np.empty(2, dtype=object)
    xyz[0], xyz[1] = rng.uniform(-1, 1, (700, 3)), rng.uniform(-1, 1, (400, 3))
    np.save(meta / "scanobjectnn" / "xyz_label.npy", {"xyz": xyz, "label": np.array([4, 14])}, allow_pickle=True)
    pickled_class_embeddings(meta / "scanobjectnn" / "cat_name_pt_feat.npy", list(SCANOBJECTNN_CLASSES), rng)
    return meta


@pytest.fixture(scope="module")
def converted(fixtures_dir, tmp_path_factory):
    """Step 1 of the recipe: the official training checkpoint (.pt) converted by convert-svl."""
    fixture = load_file(str(fixtures_dir / "e3dsnn_t.safetensors"))
    generator = torch.Generator().manual_seed(0)

    def projection():
        return {"module.weight": torch.randn(CLIP_DIM, CLIP_DIM, generator=generator) * 0.02,
                "module.bias": torch.randn(CLIP_DIM, generator=generator) * 0.02}

    official = {  # Trainer.save_model's layout, every module wrapped in DDP
        "state_dict": {f"module.{k[len('state_dict.'):]}": v for k, v in fixture.items() if k.startswith("state_dict.")},
        "text_proj": projection(),
        "image_proj": projection(),
        "logit_scale": {"module.logit_scale": torch.tensor(math.log(14.28))},
        "epoch": 250,
    }
    folder = tmp_path_factory.mktemp("svl")
    torch.save(official, folder / "svl_e3dsnn_t.pt")
    convert_svl_original_to_hf.main([
        "--checkpoint", str(folder / "svl_e3dsnn_t.pt"), "--allow-pickle", "--backbone", "e3dsnn", "--variant", "T",
        "--output-dir", str(folder / "converted"),
    ])
    return folder / "converted"


@pytest.mark.parametrize(
    "dataset, reader",
    [("modelnet40", "openshape-modelnet40"), ("objaverse-lvis", "openshape-lvis"), ("scanobjectnn", "openshape-scanobjectnn")],
)
def test_official_weights_to_folded_text_free_zero_shot_evaluation(converted, meta_data, tmp_path, dataset, reader):
    folded_dir = tmp_path / "folded"
    pickled = dataset != "objaverse-lvis"
    fold_arguments = ["--checkpoint", str(converted), "--openshape_meta_data", str(meta_data), "--dataset", dataset,
                      "--output_dir", str(folded_dir), "--num_points", str(NUM_POINTS)]
    if pickled:
        with pytest.raises(ValueError, match="allow_pickle=True"):
            fold_svl.main(fold_arguments)
    fold_svl.main(fold_arguments + ["--allow_pickle"] * pickled)  # LVIS's plain array needs no pickle opt-in
    config = json.loads((folded_dir / "config.json").read_text())
    assert config["rep_vli_fold"] == "classifier" and config["text_teacher"] is None
    weights = load_file(str(folded_dir / "model.safetensors"))
    assert {key.split(".")[0] for key in weights} <= {"point_encoder", "text_proj", "logit_scale", "classifier"}
    assert weights["classifier.weight"].shape[0] == len(config["id2label"])

    args = eval_zero_shot.parse_arguments([
        "--checkpoint", str(folded_dir), "--dataset", reader, "--data_dir", str(meta_data), "--allow_pickle",
        "--source_points", "512", "--batch_size", "8", "--threads", "1",
    ])
    metrics = eval_zero_shot.evaluate_checkpoint(args)
    assert metrics["folded_head"]  # scored by the stored head: no text encoder was loaded

    # Reference: the official protocol on the unfolded checkpoint, cos(f, normalize(text_proj(E))) and argmax.
    from hf_spiking.models.spiking_point_encoder import (
        SpikingPointEncoderForPreTraining,
        SpikingPointFeatureExtractor,
    )

    names, class_embeds = fold_svl.class_embeddings_for(fold_svl.parse_arguments(fold_arguments + ["--allow_pickle"]))
    model = SpikingPointEncoderForPreTraining.from_pretrained(converted).eval()
    items, class_names = eval_zero_shot.load_eval_dataset(args)
    assert class_names == [name.replace("_", " ") for name in names]
    clouds = [items[i] for i in range(len(items))]
    extractor = SpikingPointFeatureExtractor.from_pretrained(folded_dir)
    point_values = extractor([points for points, _ in clouds], return_tensors="pt")["point_values"]
    logits = zero_shot_logits(model.point_encoder, model.text_proj, torch.from_numpy(class_embeds), point_values)
    labels = torch.tensor([label for _, label in clouds])
    expected_top1 = 100.0 * (logits.argmax(1) == labels).float().mean().item()
    assert metrics["top1"] == pytest.approx(expected_top1)
