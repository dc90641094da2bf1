"""SpikingPointEncoderForObjectDetection: CenterPoint targets and decoding, the loss, outputs, post-processing with
rotated NMS, checkpoints (its own and an encoder's), the 3d-object-detection pipeline and the energy estimate."""

import math

import numpy as np
import pytest
import torch
from transformers import pipeline

import hf_spiking
from hf_spiking import estimate_energy
from hf_spiking.data.kitti import write_semantickitti_scan
from hf_spiking.data.synthetic_scenes import LidarConfig, generate_scene, scene_seed
from hf_spiking.models.spiking_point_encoder import (
    AutoModelFor3DObjectDetection,
    SpikingPointEncoderConfig,
    SpikingPointEncoderForObjectDetection,
    SpikingPointEncoderModel,
    decode_detections,
    detection_grid,
    detection_loss,
    encode_detection_targets,
    post_process_detections,
)
from hf_spiking.models.spiking_point_encoder.detection import HEATMAP_PRIOR_BIAS

PRESET = "svl-e3dsnn-det-test"  # range (-4, -4, -2) .. (4, 4, 2), 1 m BEV cells: an 8 x 8 grid, 4 classes
BOXES = torch.tensor(
    [
        [1.3, -2.6, -0.5, 3.9, 1.7, 1.5, 0.4],  # car
        [-2.2, 2.7, 0.1, 0.6, 0.5, 1.7, -2.9],  # person
        [0.4, 0.55, -1.0, 1.7, 0.5, 1.0, 3.0],  # bicycle
    ]
)
CLASSES = torch.tensor([0, 1, 2])


@pytest.fixture(scope="module")
def config():
    return hf_spiking.get_config(PRESET)


@pytest.fixture
def model(config):
    model = SpikingPointEncoderForObjectDetection(config).eval()
    # Fresh BatchNorm statistics leave the integer spikes silent; these make them fire.
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.uniform_(0.01, 0.1)
            module.running_mean.normal_(0, 0.1)
    return model


def _clouds(batch: int = 2, points: int = 400, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    clouds = torch.rand(batch, points, 4, generator=generator)
    clouds[..., :3] = clouds[..., :3] * 7.8 - 3.9
    return clouds


def _labels():
    return [{"boxes": BOXES, "class_labels": CLASSES}, {"boxes": BOXES[:1], "class_labels": CLASSES[:1]}]


def test_the_synthetic_scenes_preset_has_e3dsnn_t_stages_and_a_fine_bev_grid():
    with torch.device("meta"):
        model = hf_spiking.create_model("svl-e3dsnn-det-t")
    assert sum(parameter.numel() for parameter in model.parameters()) == 623_276
    assert len(model.point_encoder.encoder.stages) == 3 and model.point_encoder.encoder.final is None
    assert model.grid.bev_shape == (100, 100) and model.grid.cell_size == pytest.approx(0.8)
    assert list(model.config.id2label.values()) == ["car", "person", "bicycle", "traffic cone"]


def test_heatmap_target_peaks_at_the_cell_of_a_hand_placed_box(config):
    grid = detection_grid(config)
    targets = encode_detection_targets([{"boxes": BOXES[:1], "class_labels": CLASSES[:1]}], grid, 4, 1)
    heatmap = targets.heatmap[0]
    # x = 1.3 lies in cell floor(1.3 + 4) = 5, y = -2.6 in cell floor(-2.6 + 4) = 1 (1 m cells from -4 m).
    assert heatmap[0, 5, 1] == 1 and heatmap[0].argmax() == 5 * 8 + 1
    assert (heatmap[0] < 1).sum() == 63 and heatmap[0, 5, 3] < heatmap[0, 5, 2] < 1  # decays away from the peak
    assert heatmap[1:].abs().sum() == 0  # other classes untouched
    assert targets.cell_index.tolist() == [5 * 8 + 1]
    offset_x, offset_y, z, log_l, log_w, log_h, sin_yaw, cos_yaw = targets.regression[0].tolist()
    assert (offset_x, offset_y) == pytest.approx((0.3, 0.4), abs=1e-5) and z == pytest.approx(-0.5)
    assert (log_l, log_w, log_h) == pytest.approx((math.log(3.9), math.log(1.7), math.log(1.5)))
    assert math.atan2(sin_yaw, cos_yaw) == pytest.approx(0.4)


def test_boxes_outside_the_grid_get_no_target(config):
    outside = torch.tensor([[4.5, 0.0, 0.0, 4.0, 2.0, 1.5, 0.0]])
    targets = encode_detection_targets([{"boxes": outside, "class_labels": [0]}], detection_grid(config), 4, 1)
    assert targets.heatmap.sum() == 0 and len(targets.cell_index) == 0


def _perfect_predictions(targets, grid):
    """Heatmap logits confident at the target peaks and the exact regression targets at the centre cells."""
    logits = torch.where(targets.heatmap == 1, 20.0, -20.0)
    batch_size, _, nx, ny = logits.shape
    regression = torch.zeros(batch_size, 8, nx * ny)
    regression[targets.batch_index, :, targets.cell_index] = targets.regression
    return logits, regression.view(batch_size, 8, nx, ny)


def test_decoding_the_encoded_boxes_gives_them_back(config):
    grid = detection_grid(config)
    targets = encode_detection_targets([{"boxes": BOXES, "class_labels": CLASSES}], grid, 4, 1)
    logits, regression = _perfect_predictions(targets, grid)
    boxes, scores, labels = decode_detections(logits, regression, grid, max_detections=10)
    assert boxes.shape == (1, 10, 7) and scores.shape == labels.shape == (1, 10)
    found = scores[0] > 0.5
    assert found.sum() == 3
    order = torch.argsort(labels[0][found])
    torch.testing.assert_close(boxes[0][found][order], BOXES, rtol=0, atol=1e-4)
    assert labels[0][found][order].tolist() == CLASSES.tolist()


def test_loss_is_near_zero_at_the_targets_and_differentiable(config, model):
    grid = detection_grid(config)
    targets = encode_detection_targets(_labels(), grid, 4, 2)
    logits, regression = _perfect_predictions(targets, grid)
    loss, heatmap_loss, regression_loss = detection_loss(logits, regression, targets, 0.25)
    assert loss < 1e-6 and regression_loss < 1e-6 and heatmap_loss >= 0
    worse = detection_loss(logits, regression + 0.1, targets, 0.25)[0]
    assert worse == pytest.approx(0.25 * 0.8, rel=1e-4)  # L1: 8 channels x 0.1, averaged over the objects

    model.train()
    outputs = model(_clouds(), labels=_labels())
    assert outputs.loss.dim() == 0 and torch.isfinite(outputs.loss)
    assert outputs.loss.item() == pytest.approx((outputs.loss_heatmap + 0.25 * outputs.loss_regression).item())
    outputs.loss.backward()
    gradients = {name: parameter.grad for name, parameter in model.named_parameters()}
    assert all(grad is not None and torch.isfinite(grad).all() for grad in gradients.values())
    assert gradients["point_encoder.encoder.stem.0.conv.weight"].abs().sum() > 0  # through the BEV scatter
    assert gradients["detection_head.heatmap.2.bias"].abs().sum() > 0


def test_outputs_have_the_documented_shapes(model):
    with torch.no_grad():
        outputs = model(_clouds(), output_hidden_states=True)
    assert outputs.loss is None
    assert outputs.logits.shape == (2, 4, 8, 8) and outputs.box_regression.shape == (2, 8, 8, 8)
    assert outputs.pred_boxes.shape == (2, 10, 7) and outputs.scores.shape == outputs.pred_labels.shape == (2, 10)
    assert (outputs.scores[:, :-1] >= outputs.scores[:, 1:]).all() and (outputs.pred_boxes[..., 3:6] > 0).all()
    sparse_maps, bev = outputs.hidden_states[:-1], outputs.hidden_states[-1]
    assert len(sparse_maps) == 3 and bev.shape == (2, 16, 8, 8)


def test_padding_masked_out_changes_nothing(model):
    clouds = _clouds()
    padded = torch.cat([clouds, torch.full((2, 50, 4), 0.5)], dim=1)  # padding inside the range, masked out
    mask = torch.arange(450) < 400
    with torch.no_grad():
        expected = model(clouds).logits
        masked = model(padded, point_mask=mask.expand(2, -1)).logits
    torch.testing.assert_close(masked, expected)
    with pytest.raises(ValueError, match="`point_mask` must be a boolean tensor of shape \\(2, 450\\)"):
        model(padded, point_mask=mask.float())


def test_invalid_labels_and_configs_are_refused(config, model):
    with pytest.raises(ValueError, match=r"one dict .* per cloud \(2\), got 1 entries"):
        model(_clouds(), labels=_labels()[:1])
    with pytest.raises(ValueError, match=r"class_labels'\]` must lie in \[0, 4\)"):
        model(_clouds(), labels=[{"boxes": BOXES, "class_labels": torch.tensor([0, 1, 7])}] * 2)
    with pytest.raises(ValueError, match="positive sizes"):
        model(_clouds(), labels=[{"boxes": BOXES * torch.tensor([1, 1, 1, 0, 1, 1, 1]), "class_labels": CLASSES}] * 2)
    with pytest.raises(ValueError, match="detection_point_cloud_range` must be six finite numbers"):
        SpikingPointEncoderConfig(detection_point_cloud_range=(0, 0, 0, 1, -1, 1))
    with pytest.raises(ValueError, match=r"`detection_bev_stage` must be None .* \[0, 2\]"):
        SpikingPointEncoderConfig(**{**config.to_dict(), "detection_bev_stage": 3})
    with pytest.raises(ValueError, match="needs backbone='e3dsnn'"):
        SpikingPointEncoderForObjectDetection(hf_spiking.get_config("svl-pointnet-test"))
    with pytest.raises(ValueError, match="BEV grid .* more than"):
        SpikingPointEncoderForObjectDetection(hf_spiking.get_config(PRESET, voxel_size=0.0005))


def _outputs(boxes, scores, labels):
    return {"pred_boxes": torch.tensor([boxes], dtype=torch.float32), "scores": torch.tensor([scores]),
            "pred_labels": torch.tensor([labels])}


def test_post_processing_thresholds_and_applies_rotated_nms_per_class(model):
    car = [0.0, 0.0, 0.0, 4.0, 2.0, 1.5, 0.0]
    shifted = [0.3, 0.1, 0.0, 4.0, 2.0, 1.5, 0.05]  # BEV IoU ~0.8 with `car`
    outputs = _outputs([car, shifted, shifted, [10, 0, 0, 4, 2, 1.5, 0], car], [0.9, 0.8, 0.7, 0.6, 0.05],
                       [0, 0, 1, 0, 0])
    (result,) = model.post_process_object_detection(outputs, threshold=0.1, nms_iou=0.5)
    assert result["scores"].tolist() == pytest.approx([0.9, 0.7, 0.6])  # the shifted car is suppressed
    assert result["labels"].tolist() == [0, 1, 0]  # another class is never suppressed
    assert result["boxes"].shape == (3, 7)
    (loose,) = post_process_detections(**{"pred_boxes": outputs["pred_boxes"], "scores": outputs["scores"],
                                          "pred_labels": outputs["pred_labels"]}, threshold=0.1, nms_iou=0.9)
    assert len(loose["scores"]) == 4
    with pytest.raises(ValueError, match="`threshold` must be a number in \\[0, 1\\]"):
        model.post_process_object_detection(outputs, threshold=2)


def test_save_and_load_round_trip_exactly(model, tmp_path):
    model.save_pretrained(tmp_path)
    reloaded = AutoModelFor3DObjectDetection.from_pretrained(tmp_path).eval()
    assert type(reloaded) is SpikingPointEncoderForObjectDetection
    for key, value in model.state_dict().items():
        torch.testing.assert_close(reloaded.state_dict()[key], value, rtol=0, atol=0)
    with torch.no_grad():
        expected, actual = model(_clouds()), reloaded(_clouds())
    torch.testing.assert_close(actual.logits, expected.logits, rtol=0, atol=0)
    torch.testing.assert_close(actual.pred_boxes, expected.pred_boxes, rtol=0, atol=0)


def test_an_encoder_checkpoint_loads_into_the_detector_with_new_heads(config, tmp_path):
    encoder_config = SpikingPointEncoderConfig(**{**config.to_dict(), "hidden_size": 32})
    encoder = SpikingPointEncoderModel(encoder_config)
    encoder.save_pretrained(tmp_path)
    detector, info = SpikingPointEncoderForObjectDetection.from_pretrained(tmp_path, output_loading_info=True)
    encoder_weights = encoder.state_dict()
    for key, value in detector.point_encoder.state_dict().items():
        torch.testing.assert_close(value, encoder_weights[key], rtol=0, atol=0)
    assert all(key.startswith("detection_head.") for key in info["missing_keys"])
    torch.testing.assert_close(detector.detection_head.heatmap[-1].bias, torch.full((4,), HEATMAP_PRIOR_BIAS))


def test_relu_twin_and_energy_count_the_bev_neck_and_heads(config, model):
    inputs = {"point_values": _clouds(batch=1)}
    report = estimate_energy(model, inputs)
    rows = {row.name: row for row in report.layers}
    head_rows = [name for name in rows if name.startswith("detection_head.")]
    assert len(head_rows) == 5  # neck unit, two head units, two output convolutions
    assert all(rows[name].kind == "AC" and rows[name].macs > 0 for name in head_rows)
    assert rows["point_encoder.encoder.stem.0.conv"].kind == "MAC"  # the raw x, y, z, intensity
    assert 0 < report.total_energy_mj < report.dense_energy_mj

    twin = SpikingPointEncoderForObjectDetection(hf_spiking.get_config(PRESET, spike_activation="relu")).eval()
    twin.load_state_dict(model.state_dict())
    assert not any(type(module).__name__ == "MultiSpike" for module in twin.modules())
    ann = estimate_energy(twin, inputs)
    assert ann.total_energy_mj == pytest.approx(ann.dense_energy_mj)  # every layer a dense MAC layer
    assert report.total_energy_mj < ann.total_energy_mj
    assert {row.name for row in ann.layers} == set(rows)


def test_pipeline_on_a_tiny_scene_and_on_a_kitti_scan_file(model, tmp_path):
    scene = generate_scene(scene_seed(0, "test", 0), split="test", lidar=LidarConfig(azimuth_step_degrees=4.0))
    detector = pipeline("3d-object-detection", model=model)
    found = detector(scene.points, threshold=0.0)
    assert 0 < len(found) <= model.config.detection_max_detections
    assert all(set(item) == {"label", "score", "box"} and list(item["box"]) == ["x", "y", "z", "l", "w", "h", "yaw"]
               for item in found)
    assert {item["label"] for item in found} <= set(model.config.id2label.values())
    assert [item["score"] for item in found] == sorted((item["score"] for item in found), reverse=True)

    scan = tmp_path / "000000.bin"
    write_semantickitti_scan(scan, scene.points)
    from_file, from_list = detector(str(scan), threshold=0.0), detector([str(scan)], threshold=0.0)
    assert from_file == found and from_list == [found]
    with pytest.raises(ValueError, match="no default model"):
        pipeline("3d-object-detection")
    with pytest.raises(ValueError, match=r"expects \(N >= 1, 4\)"):
        detector(np.zeros((10, 3)))
