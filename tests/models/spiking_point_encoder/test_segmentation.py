"""E-3DSNN semantic segmentation: the inverse sparse convolution by hand, per-point logits, the loss, checkpoints,
energy, and the point-cloud-segmentation pipeline."""

import numpy as np
import pytest
import torch
from transformers import pipeline

import hf_spiking
from hf_spiking.data.kitti import write_semantickitti_scan
from hf_spiking.energy import estimate_energy
from hf_spiking.models.spiking_point_encoder import (
    AutoModelForPointCloudSegmentation,
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForSemanticSegmentation,
    SpikingPointEncoderModel,
)
from hf_spiking.models.spiking_point_encoder.segmentation import decoder_layout, voxelize_point_sites
from hf_spiking.models.spiking_point_encoder.sparse_conv import (
    SparseConv3d,
    SparseInverseConv3d,
    SparseVoxelTensor,
    strided_map,
)

TEST_PRESET = "svl-e3dsnn-seg-test"


def _fine_sites() -> SparseVoxelTensor:
    # Two rows share (3, 2, 1); cloud 1 has one site.
    coords = torch.tensor([[0, 0, 0, 0], [0, 1, 0, 0], [0, 3, 2, 1], [0, 3, 2, 1], [1, 0, 0, 1]])
    return SparseVoxelTensor(torch.zeros(5, 1), coords, batch_size=2)


def _hand_inverse_conv() -> SparseInverseConv3d:
    conv = SparseInverseConv3d(1, 1, 2)
    with torch.no_grad():  # tap t = 4 * dx + 2 * dy + dz has weight t + 1
        conv.weight.copy_(torch.arange(1.0, 9.0).view(1, 2, 2, 2, 1))
    return conv


def test_inverse_conv_scatters_each_coarse_site_back_to_its_fine_sites_by_hand():
    fine = _fine_sites()
    coarse_coords = strided_map(fine, 2).out_coords
    assert coarse_coords.tolist() == [[0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0]]
    coarse = SparseVoxelTensor(torch.tensor([[10.0], [20.0], [30.0]]), coarse_coords, batch_size=2)
    out = _hand_inverse_conv()(coarse, fine)
    # (0,0,0): site 0 tap 0 -> 10 * 1; (1,0,0): site 0 tap 4 -> 10 * 5; (3,2,1) twice: site 1 tap 5 -> 20 * 6;
    # cloud 1's (0,0,1): site 2 tap 1 -> 30 * 2.
    assert out.features.flatten().tolist() == [10.0, 50.0, 120.0, 120.0, 60.0]
    assert torch.equal(out.coords, fine.coords) and out.kernel_maps is fine.kernel_maps


def test_inverse_conv_counts_one_pair_per_fine_row():
    fine = _fine_sites()
    spikes = torch.tensor([[1.0], [2.0], [3.0]])  # coarse sites feed 2, 2 and 1 fine rows
    coarse = SparseVoxelTensor(spikes, strided_map(fine, 2).out_coords, batch_size=2)
    conv = SparseInverseConv3d(1, 4, 2)
    macs, sops = conv.energy_counts((coarse, fine), conv(coarse, fine))
    assert macs == 5 * 1 * 4 and sops == (1 * 2 + 2 * 2 + 3 * 1) * 4


def test_inverse_conv_is_the_transpose_of_the_strided_conv():
    generator = torch.Generator().manual_seed(0)
    coords = torch.cat([torch.randint(0, 2, (60, 1), generator=generator),
                        torch.randint(0, 9, (60, 3), generator=generator)], dim=1)
    fine = SparseVoxelTensor(torch.randn(60, 3, generator=generator, dtype=torch.float64), coords, batch_size=2)
    down = SparseConv3d(3, 5, 2, 2).double()
    up = SparseInverseConv3d(5, 3, 2).double()
    with torch.no_grad():
        up.weight.copy_(down.weight.permute(4, 1, 2, 3, 0))
    coarse = down(fine)
    probe = torch.randn(coarse.features.shape, generator=generator, dtype=torch.float64)
    # <down(x), y> == <x, up(y)>
    left = (coarse.features * probe).sum()
    right = (fine.features * up(coarse.replace_features(probe), fine).features).sum()
    torch.testing.assert_close(left, right)


def test_inverse_conv_refuses_sites_that_the_target_did_not_make():
    fine = _fine_sites()
    wrong = SparseVoxelTensor(torch.ones(2, 1), torch.tensor([[0, 0, 0, 0], [0, 5, 5, 5]]), batch_size=2)
    with pytest.raises(ValueError, match="needs `sparse` at the 3 sites a stride-2 convolution makes of `target`"):
        _hand_inverse_conv()(wrong, fine)


def _model(**overrides):
    torch.manual_seed(0)
    model = hf_spiking.create_model(TEST_PRESET, **overrides).eval()
    for module in model.modules():  # random-init BatchNorm statistics would leave the network silent
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.uniform_(0.01, 0.1)
            module.running_mean.normal_(0, 0.1)
    return model


def _clouds(batch=2, points=200, scale=3.0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, points, 4, generator=generator) * torch.tensor([scale, scale, scale, 1.0])


def test_one_logit_row_per_input_point_and_points_of_a_voxel_share_it():
    model = _model()
    clouds = _clouds()
    clouds[0, 1] = clouds[0, 0]  # an exact duplicate
    clouds[0, 2, :3] = torch.floor(clouds[0, 0, :3] / 0.2) * 0.2 + 0.01  # another point of the same voxel
    with torch.no_grad():
        logits = model(clouds).logits
    assert logits.shape == (2, 200, model.config.num_labels) and logits.abs().sum() > 0
    torch.testing.assert_close(logits[0, 1], logits[0, 0], rtol=0, atol=0)
    torch.testing.assert_close(logits[0, 2], logits[0, 0], rtol=0, atol=0)


def test_a_clouds_logits_do_not_depend_on_the_rest_of_its_batch():
    model = _model()
    alone, other = _clouds(batch=1, seed=1), _clouds(batch=1, seed=2) - 7.3  # another origin and grid phase
    with torch.no_grad():
        expected = model(alone).logits[0]
        batched = model(torch.cat([other, alone])).logits[1]
    torch.testing.assert_close(batched, expected, rtol=1e-5, atol=1e-5)


def test_voxelization_maps_every_point_to_its_site():
    clouds = _clouds(batch=2, points=50)
    sites, point_sites = voxelize_point_sites(clouds, 0.5, 4)
    cells = torch.floor(clouds.reshape(100, 4)[:, :3] / 0.5)
    site_cells = sites.coords[point_sites, 1:] - sites.coords[point_sites, 1:].min(0).values
    assert torch.equal(site_cells.float(), cells - cells.min(0).values)
    assert torch.equal(sites.coords[point_sites, 0], torch.arange(2).repeat_interleave(50))
    assert sites.coords.unique(dim=0).shape[0] == sites.coords.shape[0]  # one site per voxel


def test_loss_is_the_mean_cross_entropy_over_labelled_points_and_differentiable():
    model = _model().train()
    clouds = _clouds()
    labels = torch.randint(0, model.config.num_labels, (2, 200), generator=torch.Generator().manual_seed(3))
    labels[0, :40] = 255
    output = model(clouds, labels=labels)
    log_probs = output.logits.log_softmax(-1)
    keep = labels != 255
    expected = -log_probs[keep].gather(1, labels[keep].unsqueeze(1)).mean()
    torch.testing.assert_close(output.loss, expected)
    output.loss.backward()
    for name in ("decoder.classifier.weight", "decoder.stages.0.upsample.conv.weight",
                 "point_encoder.encoder.stages.1.downsample.conv.weight"):
        assert model.get_parameter(name).grad.abs().sum() > 0, name
    unlabelled = model(clouds, labels=torch.full((2, 200), 255))
    assert unlabelled.loss.item() == 0 and unlabelled.loss.requires_grad


@pytest.mark.parametrize(
    "labels, message",
    [
        (torch.zeros(2, 199, dtype=torch.long), r"shape \(2, 200\).*got shape \(2, 199\)"),
        (torch.zeros(2, 200), "got dtype torch.float32"),
        (torch.full((2, 200), -100), r"ids in \[0, 11\) or 255.*got ids \[-100\]"),
    ],
)
def test_labels_are_refused_naming_the_expected_form(labels, message):
    with pytest.raises(ValueError, match=message):
        _model()(_clouds(), labels=labels)


def test_config_refuses_other_backbones_and_bad_decoder_fields():
    with pytest.raises(ValueError, match="needs backbone='e3dsnn'"):
        SpikingPointEncoderForSemanticSegmentation(hf_spiking.get_config("svl-pointnet-test"))
    with pytest.raises(ValueError, match="`decoder_channels` must be None .* or 2 integers >= 1"):
        hf_spiking.get_config(TEST_PRESET, decoder_channels=(8,))


def test_presets_mirror_the_encoder_and_have_e3dsnn_t_widths():
    assert decoder_layout(hf_spiking.get_config("svl-e3dsnn-seg-t")) == ((64, 32, 16, 16), (1, 1, 1, 1))
    with torch.device("meta"):
        model = hf_spiking.create_model("svl-e3dsnn-seg-t")
    assert sum(p.numel() for p in model.parameters()) == 2_718_043
    assert model.point_encoder.encoder.final is None and model.config.num_labels == 11


def test_save_load_round_trip_is_exact(tmp_path):
    model = _model()
    clouds = _clouds()
    model.save_pretrained(tmp_path)
    reloaded = AutoModelForPointCloudSegmentation.from_pretrained(tmp_path).eval()
    assert type(reloaded) is SpikingPointEncoderForSemanticSegmentation
    with torch.no_grad():
        torch.testing.assert_close(reloaded(clouds).logits, model(clouds).logits, rtol=0, atol=0)


@pytest.mark.parametrize("encoder_class", [SpikingPointEncoderModel, SpikingPointEncoderForPointCloudClassification])
def test_loads_the_encoder_of_an_e3dsnn_checkpoint_and_initialises_the_decoder(tmp_path, encoder_class):
    config = hf_spiking.get_config(TEST_PRESET)
    torch.manual_seed(1)
    encoder = encoder_class(config)
    encoder.save_pretrained(tmp_path)
    model, info = SpikingPointEncoderForSemanticSegmentation.from_pretrained(
        tmp_path, config=config, output_loading_info=True
    )
    assert not info["unexpected_keys"] - {"classifier.weight", "classifier.bias"}  # the pooled `final` is ignored
    assert info["missing_keys"] and all(key.startswith("decoder.") for key in info["missing_keys"])
    saved = (encoder if encoder_class is SpikingPointEncoderModel else encoder.point_encoder).state_dict()
    for key, value in model.point_encoder.state_dict().items():
        assert torch.equal(value, saved[key]), key
    inverse = model.decoder.stages[0].upsample.conv.weight
    assert torch.isfinite(inverse).all() and 0 < inverse.abs().max() <= 1 / (16 * 8) ** 0.5


def test_energy_accounts_the_decoder_and_the_ann_twin_costs_the_dense_count():
    snn = _model()
    ann = _model(spike_activation="relu")
    ann.load_state_dict(snn.state_dict())
    inputs = {"point_values": _clouds()}
    snn_report, ann_report = estimate_energy(snn, inputs), estimate_energy(ann, inputs)
    kinds = {row.name: row.kind for row in snn_report.layers}
    for stage in range(2):
        for layer in ("upsample.conv", "fuse.conv", "blocks.0.conv_pair.1.conv"):
            assert kinds[f"decoder.stages.{stage}.{layer}"] == "AC"
    assert kinds["point_encoder.encoder.stem.0.conv"] == kinds["decoder.classifier"] == "MAC"
    # The ReLU twin reads real values everywhere: it is charged every dense MAC the SNN's report counts.
    assert {row.kind for row in ann_report.layers} == {"MAC"}
    assert ann_report.total_energy_mj == pytest.approx(snn_report.dense_energy_mj)
    assert 0 < snn_report.total_energy_mj < ann_report.total_energy_mj


@pytest.fixture(scope="module")
def tiny_scene():
    from hf_spiking.data.synthetic_scenes import LidarConfig, generate_scene, scene_seed

    return generate_scene(scene_seed(0, "test", 0), split="test", lidar=LidarConfig(azimuth_step_degrees=4.0))


def test_pipeline_labels_every_point_of_a_scene_and_of_a_kitti_scan(tmp_path, tiny_scene):
    model = _model()
    model.save_pretrained(tmp_path / "model")
    segmenter = pipeline("point-cloud-segmentation", model=str(tmp_path / "model"))
    points = tiny_scene.points
    result = segmenter(points)
    assert len(result["labels"]) == len(result["label_ids"]) == len(result["scores"]) == len(points)
    with torch.no_grad():
        logits = model(torch.from_numpy(points).unsqueeze(0)).logits[0]
    assert result["label_ids"].tolist() == logits.argmax(-1).tolist()
    assert result["labels"][0] == model.config.id2label[int(result["label_ids"][0])]
    assert ((0 < result["scores"]) & (result["scores"] <= 1)).all()

    write_semantickitti_scan(tmp_path / "000000.bin", points)
    from_file, from_tensor = segmenter([str(tmp_path / "000000.bin"), torch.from_numpy(points)])
    assert from_file["label_ids"].tolist() == from_tensor["label_ids"].tolist() == result["label_ids"].tolist()


def test_pipeline_needs_a_model_and_refuses_an_untrained_head(tmp_path):
    with pytest.raises(ValueError, match="point-cloud-segmentation task has no default model"):
        pipeline("point-cloud-segmentation")
    hf_spiking.create_model("svl-e3dsnn-test", in_channels=4).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="needs a trained segmentation model.*SpikingPointEncoderModel"):
        pipeline("point-cloud-segmentation", model=str(tmp_path))
    segmenter = pipeline("point-cloud-segmentation", model=_model())
    with pytest.raises(ValueError, match=r"has shape \(10, 3\); this model expects \(N >= 1, 4\)"):
        segmenter(np.zeros((10, 3), dtype=np.float32))
