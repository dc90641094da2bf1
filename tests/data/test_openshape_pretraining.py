"""OpenShape training corpus reader on a tiny corpus in the released layout (tests/data/openshape_fixture.py)."""

import numpy as np
import pytest

from hf_spiking.data import load_openshape_pretraining

from .openshape_fixture import shape_of, write_openshape_corpus

DIM = 32


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("openshape")
    return root, write_openshape_corpus(root, num_shapes=8, num_points=64, dim=DIM)


def test_pickle_opt_in_split_names_and_missing_files(corpus, tmp_path):
    root, entries = corpus
    with pytest.raises(ValueError, match="allow_pickle=True"):
        load_openshape_pretraining(root)
    with pytest.raises(ValueError, match="split must be one of"):
        load_openshape_pretraining(root, "train_everything", allow_pickle=True)
    with pytest.raises(ValueError, match="gpt4_filtering.json"):
        (tmp_path / "meta_data" / "split").mkdir(parents=True)
        (tmp_path / "meta_data" / "split" / "train_all.json").write_text("[]")
        load_openshape_pretraining(tmp_path, allow_pickle=True)
    assert len(load_openshape_pretraining(root, allow_pickle=True)) == 8  # "Four": train_all.json
    no_lvis = load_openshape_pretraining(root, "train_no_lvis", allow_pickle=True)
    assert [e["id"] for e in no_lvis.entries] == [e["id"] for i, e in enumerate(entries) if i != 0]  # shape 0: LVIS


def test_items_carry_points_and_precomputed_features(corpus):
    root, _ = corpus
    dataset = load_openshape_pretraining(root, allow_pickle=True, num_points=48)
    for index in range(len(dataset)):
        item = dataset[index]
        assert item["point_values"].shape == (48, 6) and item["point_values"].dtype == np.float32
        assert item["image_embeds"].shape == item["text_embeds"].shape == (DIM,)
        assert shape_of(item["image_embeds"]) == index
        assert item["has_text"] and shape_of(item["text_embeds"]) == index
    first = dataset[3]
    np.testing.assert_array_equal(first["point_values"], dataset[3]["point_values"])  # seeded by (seed, epoch, index)
    dataset.set_epoch(1)
    assert not np.array_equal(first["point_values"], dataset[3]["point_values"])


def test_points_are_y_up_swapped_unit_sphere_and_all_distinct(corpus):
    root, _ = corpus
    plain = load_openshape_pretraining(root, allow_pickle=True, num_points=64, augment=False, rotate_z=False, color_drop=0.0)
    points = plain[1]["point_values"]
    xyz = points[:, :3]
    np.testing.assert_allclose(np.linalg.norm(xyz, axis=1).max(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(xyz.mean(0), 0.0, atol=1e-6)
    extent = xyz.max(0) - xyz.min(0)
    assert extent[2] > 2 * extent[1]  # the long y axis became z
    stored = np.load(root / plain.entries[1]["data_path"], allow_pickle=True).item()
    assert sorted(map(tuple, points[:, 3:].round(5))) == sorted(map(tuple, stored["rgb"].astype(np.float32).round(5)))
    grey = load_openshape_pretraining(root, allow_pickle=True, num_points=32, color_drop=1.0)
    np.testing.assert_allclose(grey[2]["point_values"][:, 3:], 0.4)
    padded = load_openshape_pretraining(root, allow_pickle=True, num_points=100)
    assert padded[0]["point_values"].shape == (100, 6)  # fewer stored points: drawn with repeats


def test_text_and_image_choices_follow_openshape(corpus):
    root, _ = corpus
    names = load_openshape_pretraining(root, allow_pickle=True, text_sources=("text",))
    assert not names[0]["has_text"] and not names[0]["text_embeds"].any()  # Objaverse name flagged "N" by GPT-4
    np.testing.assert_allclose(names[4]["text_embeds"], 4.30)  # Objaverse, kept: its first text, prompt-averaged
    assert {round(float(names[1]["text_embeds"][0]) - 1, 2)} <= {0.30, 0.31}  # other datasets: any text
    unfiltered = load_openshape_pretraining(root, allow_pickle=True, text_sources=("text",), text_filtering=False,
                                            prompt_engineering=False)
    np.testing.assert_allclose(unfiltered[0]["text_embeds"], 0.20)
    retrieval = load_openshape_pretraining(root, allow_pickle=True, text_sources=("retrieval_text",))
    np.testing.assert_allclose(retrieval[5]["text_embeds"], 5.60)  # retrieved texts: the plain feature
    captions = {round(float(load_openshape_pretraining(root, allow_pickle=True, text_sources=("caption",), seed=s)[3]
                            ["text_embeds"][0]), 2) for s in range(12)}
    assert captions <= {3.41, 0.0} and 3.41 in captions  # shape 3 has no MSFT caption: BLIP or nothing
    thumbnails = load_openshape_pretraining(root, allow_pickle=True, thumbnail_probability=1.0)
    np.testing.assert_allclose(thumbnails[4]["image_embeds"], 4.9)  # Objaverse thumbnail
    view = round(float(thumbnails[2]["image_embeds"][0]) - 2, 2)
    assert view in {round(0.01 * v, 2) for v in range(12)}  # other datasets: one of the 12 views


def test_iterable_dataset_is_sharded_over_processes_and_workers(corpus):
    import torch
    from datasets.distributed import split_dataset_by_node

    root, _ = corpus
    stream = load_openshape_pretraining(root, allow_pickle=True, num_points=16).to_iterable_dataset(num_shards=4)
    assert stream.num_shards == 4
    seen = []
    for rank in range(2):  # what accelerate does per process: shard(num_shards=world_size, index=rank)
        loader = torch.utils.data.DataLoader(split_dataset_by_node(stream, rank, 2), batch_size=None, num_workers=2)
        rank_shapes = [shape_of(item["image_embeds"]) for item in loader]
        assert all(isinstance(item, torch.Tensor) for item in next(iter(loader)).values())
        seen.append(rank_shapes)
    assert sorted(seen[0] + seen[1]) == list(range(8))  # every shape exactly once over both processes
    assert not set(seen[0]) & set(seen[1])
