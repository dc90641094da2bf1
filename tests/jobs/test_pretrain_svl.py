"""hf_spiking.jobs.pretrain_svl: one tiny MTA step with Trainer on captions only, BatchNorm recalibration, Rep-VLI export,
scan-like realism (--realism) on the training and validation clouds."""

import json
import re
import shlex
from dataclasses import asdict

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import hf_spiking
from hf_spiking.data.point_clouds import MISSING_COLOR
from hf_spiking.data.synthetic_shapes import category_names, generate_instance, instance_seed, iter_split
from hf_spiking.data.synthetic_shapes.realism import RealismConfig
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
)
from hf_spiking.jobs import pretrain_svl
CATEGORIES = ["mug", "chair", "car"]
TINY = json.dumps({"num_groups": 8, "group_size": 8})
SCAN_LIKE = json.dumps({"drop_color": True, "noise_std": 0.02})


def test_one_tiny_step_then_fold_and_samples(tmp_path):
    output, folded = tmp_path / "run", tmp_path / "folded"
    code = pretrain_svl.main(
        ["--output-dir", str(output), "--preset", "svl-pointformer-test", "--config-overrides", TINY,
         "--categories", *CATEGORIES, "--num-per-category", "1", "--source-points", "64", "--num-points", "32",
         "--batch-size", "3", "--max-steps", "1", "--eval-every-epochs", "0", "--threads", "1",
         "--fold-to", str(folded), "--realism", SCAN_LIKE]
    )
    assert code == 0
    summary = json.loads((output / "training_summary.json").read_text())
    assert summary["config_overrides"]["spike_activation"] == "multispike"
    assert summary["args"]["realism"] == SCAN_LIKE
    assert summary["args"]["realism_config"] == RealismConfig(drop_color=True, noise_std=0.02).to_dict()
    trained = SpikingPointEncoderForPreTraining.from_pretrained(output)
    assert trained.config.lambda_image == 0.0  # no image teacher: the text term alone
    # One optimizer step moved the weights away from a fresh init with the same seed.
    assert not torch.equal(trained.text_proj.weight, SpikingPointEncoderForPreTraining(trained.config).text_proj.weight)

    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(folded)
    names = list(model.config.id2label.values())
    assert names[:3] == CATEGORIES and set(pretrain_svl.GENERAL_VOCABULARY) <= set(names)
    assert model.config.rep_vli_fold == "classifier"
    torch.testing.assert_close(model.classifier.weight.norm(dim=-1), torch.ones(len(names)))
    assert "classifier.weight" in load_file(folded / "model.safetensors")
    samples = sorted(p.stem for p in (folded / "samples").glob("*.npy"))
    assert samples == sorted(c.replace(" ", "_") for c in pretrain_svl.SAMPLE_CATEGORIES)
    cloud = np.load(folded / "samples" / "mug.npy")
    assert cloud.shape == (2048, 6) and cloud.dtype == np.float32
    assert (cloud[:, 3:] == MISSING_COLOR).all()  # the run's --realism drops colour: the samples look like training
    # The run's provenance travels with the folded model (the model card states the recipe from it).
    assert (folded / "training_summary.json").read_text() == (output / "training_summary.json").read_text()

    # A run without a summary (older runs) folds as before, without one.
    (output / "training_summary.json").unlink()
    pretrain_svl.fold_and_save(output, tmp_path / "folded_old", CATEGORIES)
    assert (tmp_path / "folded_old" / "config.json").is_file()
    assert not (tmp_path / "folded_old" / "training_summary.json").exists()


def test_sample_clouds_get_the_realism_and_stay_the_clean_ones_without_it(tmp_path):
    names = ("mug", "traffic cone")
    pretrain_svl.write_sample_clouds(tmp_path / "clean", categories=names, num_points=256)
    pretrain_svl.write_sample_clouds(tmp_path / "scan", categories=names, num_points=256,
                                     realism=RealismConfig(drop_color=True, noise_std=0.02))
    for name in names:
        file = f"{name.replace(' ', '_')}.npy"
        # What the samples were before --realism reached them: the clean test-split instance, bit for bit.
        seed = instance_seed(0, "test", category_names().index(name), 0)
        before = generate_instance(name, seed, num_points=256, with_image=False).points.astype(np.float32)
        clean, scan = np.load(tmp_path / "clean" / file), np.load(tmp_path / "scan" / file)
        np.testing.assert_array_equal(clean, before)
        assert (scan[:, 3:] == MISSING_COLOR).all() and not (clean[:, 3:] == MISSING_COLOR).all()
        assert scan.dtype == np.float32 and not np.array_equal(scan[:, :3], clean[:, :3])  # jittered


REALISM = '{"drop_color": true, "noise_std": 0.005, "anisotropic_scale": [0.85, 1.18]}'


def test_recipe_flags_are_exactly_the_non_default_ones_and_parse_back_to_the_recipe():
    given = ["--categories", "all", "--realism", REALISM, "--num_per_category", "200", "--num_train_epochs", "16",
             "--spike_energy_weight", "2", "--threads", "1", "--eval_every_epochs", "2", "--fold_to", "somewhere"]
    args, training_args = pretrain_svl.parse_arguments(["--output_dir", "runs/snn", *given])
    # As training_summary.json records the run.
    summary = json.loads(json.dumps({"args": asdict(args), "training_categories": pretrain_svl.training_categories(args),
                                     "training_args": training_args.to_sanitized_dict()}))
    flags = pretrain_svl.recipe_flags(summary)
    assert flags == ["--spike_energy_weight 2", "--categories all", "--num_per_category 200", f"--realism '{REALISM}'",
                     "--num_train_epochs 16"]  # not threads, exports or defaults given explicitly
    assert pretrain_svl.recipe_flags(summary, spike_activation="relu", spike_energy_weight=0.0) == [
        "--spike_activation relu", *flags[1:]]
    again, again_training = pretrain_svl.parse_arguments(["--output_dir", "runs/snn", *shlex.split(" ".join(flags))])
    recipe = [name for name in asdict(args) if name not in pretrain_svl.NON_RECIPE_FIELDS]
    assert [getattr(again, name) for name in recipe] == [getattr(args, name) for name in recipe]
    assert again.realism_config == args.realism_config
    for name in pretrain_svl.RECIPE_TRAINING_FIELDS:
        assert getattr(again_training, name) == getattr(training_args, name)

    # Older summaries lack the newer fields: they count as defaults. Names with spaces are quoted.
    assert pretrain_svl.recipe_flags({"args": {"spike_energy_weight": 2.0}}) == ["--spike_energy_weight 2"]
    named = {"args": {"categories": ["mug", "traffic cone"]}, "training_args": {"learning_rate": 2.5e-05}}
    assert pretrain_svl.recipe_flags(named) == ["--categories mug 'traffic cone'", "--learning_rate 2.5e-05"]
    # `all` grows with the corpus: a run recorded with fewer categories than `all` names now gets its own names back.
    assert summary["training_categories"] == category_names()
    assert "--categories all" in pretrain_svl.recipe_flags(summary)
    earlier = {**summary, "training_categories": category_names()[:3]}
    assert pretrain_svl.recipe_flags(earlier)[1] == "--categories " + shlex.join(category_names()[:3])


def test_batch_norm_recalibration_uses_plain_averages():
    config = hf_spiking.get_config("svl-pointformer-test", num_groups=4, group_size=4)
    model = SpikingPointEncoderForPreTraining(config)
    points = torch.rand(4, 16, 6)
    rows = [{"point_values": cloud} for cloud in points]
    pretrain_svl.recalibrate_batch_norm(model, rows, num_clouds=4, batch_size=2)
    norm = model.point_encoder.encoder.tokenizer.first_norm
    # Two batches of two clouds: the running mean is the average of the two batch means of first_conv's output.
    with torch.no_grad():
        groups = model.point_encoder.encoder.grouper(points)
        order = torch.randperm(4, generator=torch.Generator().manual_seed(0)).tolist()
        features = model.point_encoder.encoder.tokenizer.first_conv(groups.neighborhoods)
        batch_means = [features[order[i : i + 2]].reshape(-1, features.shape[-1]).mean(0) for i in (0, 2)]
    torch.testing.assert_close(norm.running_mean, torch.stack(batch_means).mean(0), rtol=1e-4, atol=1e-5)
    assert norm.momentum == config.batch_norm_momentum and model.training


def test_spike_energy_penalty_matches_the_energy_estimate_and_has_gradients():
    from hf_spiking.energy import estimate_energy

    config = hf_spiking.get_config("svl-pointformer-test", num_groups=8, group_size=8)
    model = SpikingPointEncoderForPreTraining(config)
    encoder = model.point_encoder
    with torch.no_grad():  # larger pre-activations, so that many neurons fire
        for module in encoder.modules():
            if isinstance(module, torch.nn.Linear):
                module.weight.mul_(20)
    points = torch.rand(3, 32, 6)
    penalty = pretrain_svl.SpikeEnergyPenalty(encoder, points)
    encoder.train()
    for module in encoder.modules():  # training-mode layers, but the BatchNorm statistics estimate_energy sees
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.eval()
    encoder(points)
    fraction = penalty.pop(batch_size=3)
    report = estimate_energy(encoder, {"point_values": points})
    assert report.ac_energy_mj > 0
    torch.testing.assert_close(fraction.item(), report.ac_energy_mj / report.dense_energy_mj, rtol=1e-5, atol=0)
    fraction.backward()
    assert encoder.encoder.layers[0].mlp.fc1.weight.grad.abs().sum() > 0  # through the spikes' surrogate
    with torch.no_grad():  # validation forwards are not counted
        encoder(points)
    assert penalty.pop(batch_size=3).item() == 0.0
    penalty.remove()


def test_spike_energy_weight_trains_the_snn_and_is_refused_for_the_ann_twin(tmp_path, capsys):
    common = ["--preset", "svl-pointformer-test", "--config-overrides", TINY, "--categories", *CATEGORIES,
              "--num-per-category", "1", "--source-points", "64", "--num-points", "32", "--batch-size", "3",
              "--max-steps", "1", "--eval-every-epochs", "0", "--threads", "1", "--spike-energy-weight", "1"]
    assert pretrain_svl.main(["--output-dir", str(tmp_path / "relu"), "--spike-activation", "relu", *common]) == 2
    assert "ANN twin has no spikes" in capsys.readouterr().err
    assert pretrain_svl.main(["--output-dir", str(tmp_path / "snn"), *common]) == 0
    summary = json.loads((tmp_path / "snn" / "training_summary.json").read_text())
    assert summary["args"]["spike_energy_weight"] == 1.0
    assert summary["args"]["realism"] is None and summary["args"]["realism_config"] is None


def test_realism_reaches_the_training_and_validation_clouds_and_keeps_the_captions(tmp_path):
    flags = ["--output-dir", str(tmp_path / "run"), "--preset", "svl-pointformer-test", "--categories", *CATEGORIES,
             "--num-per-category", "2", "--source-points", "64", "--num-points", "32", "--val-per-category", "1"]
    clean_args, _ = pretrain_svl.parse_arguments(flags)
    scan_args, _ = pretrain_svl.parse_arguments([*flags, "--realism", SCAN_LIKE])
    assert clean_args.realism_config is None
    assert scan_args.realism_config == RealismConfig(drop_color=True, noise_std=0.02)

    cache = tmp_path / "teacher_cache"
    clean = pretrain_svl.build_training_set(clean_args, 0, cache, image_teacher=None)
    scan = pretrain_svl.build_training_set(scan_args, 0, cache, image_teacher=None)
    # Without --realism the training clouds are the corpus' clean clouds, bit for bit.
    rows = iter_split("train", num_per_category=2, categories=CATEGORIES, num_points=64, with_images=False)
    assert torch.equal(clean.clouds, torch.from_numpy(np.stack([row["points"] for row in rows])))
    assert (scan.clouds[..., 3:] == MISSING_COLOR).all() and not (clean.clouds[..., 3:] == MISSING_COLOR).all()
    jitter = (scan.clouds[..., :3] - clean.clouds[..., :3]).norm(dim=-1)
    assert 0.005 < jitter.median() < 0.1  # noise_std 0.02 per axis, then re-normalised
    # Realism keeps every caption, so the caption features cached by the clean run are the right ones to reuse.
    assert scan.caption_ids == clean.caption_ids and torch.equal(scan.caption_features, clean.caption_features)
    assert len(list(cache.glob("text_features_*.npy"))) == 1

    config = hf_spiking.get_config("svl-pointformer-test")
    validation = pretrain_svl.ZeroShotValidation(scan_args, config, seed=0)
    assert validation.point_values.shape == (len(CATEGORIES), 32, 6)
    assert (validation.point_values[..., 3:] == MISSING_COLOR).all()


@pytest.mark.parametrize(
    "realism, message",
    [
        ('{"colour": false}', re.escape(
            """--realism '{"colour": false}' has unknown fields ['colour']; the allowed fields are """
            "['anisotropic_scale', 'density_falloff', 'drop_color', 'noise_std', 'partial_view_probability']"
        )),
        ("drop_color", "--realism 'drop_color' is not JSON"),
        ('{"noise_std": -1}', "--realism .*noise_std must be a finite number >= 0"),
    ],
)
def test_a_bad_realism_is_refused_before_any_cloud_is_generated(tmp_path, realism, message):
    with pytest.raises(ValueError, match=message):
        pretrain_svl.main(["--output-dir", str(tmp_path / "run"), "--realism", realism])
    assert not (tmp_path / "run").exists()
