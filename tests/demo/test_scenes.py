"""The synthetic demo: deterministic files, XMLs that match the rendered labels, a fair task."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from streetseg.demo import scenes as demo
from streetseg.demo.scenes import (
    DEFAULT_CLASS_NAMES,
    demo_sample_ids,
    generate_scene,
    scene_label_map,
    write_demo,
)
from streetseg.labels.formats.voc import parse_voc_xml
from streetseg.labels.rasterize import rasterize

WIDTH, HEIGHT = 160, 120


def files_of(directory):
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def mean_iou(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Mean IoU over the classes that occur in the truth or the prediction."""
    scores = []
    for class_id in range(len(DEFAULT_CLASS_NAMES)):
        union = np.sum((predicted == class_id) | (truth == class_id))
        if union:
            scores.append(np.sum((predicted == class_id) & (truth == class_id)) / union)
    return float(np.mean(scores))


@pytest.fixture(scope="module")
def scenes():
    """24 scenes at the demo's default size, with their label maps."""
    images, labels = [], []
    for index in range(24):
        rgb, objects = generate_scene(11, index, 320, 240)
        images.append(rgb)
        labels.append(scene_label_map(objects, 320, 240))
    return np.stack(images), np.stack(labels)


def test_sample_ids_are_zero_padded():
    assert demo_sample_ids(3) == ["scene_000", "scene_001", "scene_002"]
    assert demo_sample_ids(0) == []
    assert demo_sample_ids(1001)[-1] == "scene_1000"
    assert demo_sample_ids(1001)[999] == "scene_0999"


def test_write_demo_is_byte_identical_for_a_seed(tmp_path):
    lines = []
    size = {"width": WIDTH, "height": HEIGHT}
    ids = write_demo(tmp_path / "a", n_scenes=12, seed=3, log=lines.append, **size)
    write_demo(tmp_path / "b", n_scenes=12, seed=3, log=lambda _: None, **size)
    write_demo(tmp_path / "c", n_scenes=12, seed=4, log=lambda _: None, **size)
    first, second, other = (files_of(tmp_path / name) for name in "abc")
    expected = sorted(f"{sample}.{ext}" for sample in ids for ext in ("jpg", "xml"))
    assert ids == demo_sample_ids(12)
    assert sorted(first) == expected  # No temporary files are left behind.
    assert first == second
    assert all(first[name] != other[name] for name in expected)
    assert len(lines) == 2 and "12/12" in lines[-1]


def test_jpegs_are_plain_rgb_without_exif(tmp_path):
    write_demo(tmp_path, n_scenes=2, seed=1, width=WIDTH, height=HEIGHT, log=lambda _: None)
    with Image.open(tmp_path / "scene_001.jpg") as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (WIDTH, HEIGHT))
        assert not image.getexif()


def test_generate_scene_is_pure_and_leaves_global_random_state_alone():
    state = np.random.get_state()
    rgb_a, objects_a = generate_scene(5, 2, WIDTH, HEIGHT)
    rgb_b, objects_b = generate_scene(5, 2, WIDTH, HEIGHT)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    assert rgb_a.dtype == np.uint8 and rgb_a.shape == (HEIGHT, WIDTH, 3)
    assert np.array_equal(rgb_a, rgb_b)
    assert [name for name, _ in objects_a] == [name for name, _ in objects_b]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(objects_a, objects_b))
    assert not np.array_equal(rgb_a, generate_scene(5, 3, WIDTH, HEIGHT)[0])


def test_xml_objects_rasterise_to_the_generators_label_map(tmp_path):
    ids = write_demo(tmp_path, n_scenes=10, seed=8, width=WIDTH, height=HEIGHT, log=lambda _: None)
    for index, sample in enumerate(ids):
        _, objects = generate_scene(8, index, WIDTH, HEIGHT)
        annotation = parse_voc_xml(tmp_path / f"{sample}.xml")
        assert (annotation.width, annotation.height) == (WIDTH, HEIGHT)
        assert annotation.filename == f"{sample}.jpg"
        assert {obj.name for obj in annotation.objects} <= set(DEFAULT_CLASS_NAMES)
        # The XML holds exactly the generator's (already rounded) vertices, in paint order.
        assert [obj.name for obj in annotation.objects] == [name for name, _ in objects]
        for obj, (_, vertices) in zip(annotation.objects, objects):
            assert np.array_equal(obj.vertices, vertices)
        shapes = [(DEFAULT_CLASS_NAMES.index(obj.name), obj.vertices) for obj in annotation.objects]
        label_map = rasterize(shapes, WIDTH, HEIGHT)
        assert np.array_equal(label_map, scene_label_map(objects, WIDTH, HEIGHT))


def test_vertices_have_two_decimals_and_some_lie_just_outside_the_image():
    outside = 0
    for index in range(10):
        _, objects = generate_scene(2, index, WIDTH, HEIGHT)
        for _, vertices in objects:
            assert vertices.dtype == np.float64 and vertices.ndim == 2 and len(vertices) >= 3
            assert np.array_equal(vertices, np.round(vertices, 2))
            # Shapes are clipped to a frame a few pixels past the image, as real exports are.
            assert vertices.min() >= -6.01
            assert vertices[:, 0].max() <= WIDTH + 6.01 and vertices[:, 1].max() <= HEIGHT + 6.01
            beyond = (vertices < 0).any() or (vertices[:, 0] > WIDTH).any()
            outside += bool(beyond or (vertices[:, 1] > HEIGHT).any())
    assert outside > 0


def test_trees_have_many_vertex_irregular_crowns():
    _, objects = generate_scene(1, 4, WIDTH, HEIGHT)
    assert max(len(vertices) for name, vertices in objects if name == "tree") >= 24


def test_every_class_has_a_fair_share_of_pixels(scenes):
    _, labels = scenes
    shares = np.bincount(labels[:20].ravel(), minlength=len(DEFAULT_CLASS_NAMES)) / labels[:20].size
    for name, share in zip(DEFAULT_CLASS_NAMES, shares):
        assert 0.01 < share < 0.6, f"{name}: {share:.3f}"


def test_colour_alone_does_not_solve_the_task(scenes):
    """A per-pixel colour lookup, fitted on 16 scenes and scored on 8 others, scores poorly."""
    images, labels = scenes
    levels = images.astype(np.int64) // 32  # 8 levels per channel, 512 colour bins.
    bins = levels[..., 0] * 64 + levels[..., 1] * 8 + levels[..., 2]
    counts = np.zeros((512, len(DEFAULT_CLASS_NAMES)), dtype=np.int64)
    np.add.at(counts, (bins[:16].ravel(), labels[:16].ravel()), 1)
    majority = int(np.bincount(labels[:16].ravel()).argmax())
    lookup = np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1), majority)
    colour_miou = mean_iou(lookup[bins[16:]], labels[16:])
    majority_miou = mean_iou(np.full_like(labels[16:], majority), labels[16:])
    print(f"colour-lookup mIoU {colour_miou:.3f}, majority-class mIoU {majority_miou:.3f}")
    assert majority_miou < colour_miou < 0.4


def test_background_is_only_unannotated_clutter():
    """Background (id 0) is never written to the XML; it is what no polygon covers."""
    for index in range(5):
        _, objects = generate_scene(4, index, WIDTH, HEIGHT)
        assert "background" not in {name for name, _ in objects}


def test_an_interrupted_run_leaves_no_partial_files(tmp_path, monkeypatch):
    calls = []

    def failing_write(path, *args):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_write(path, *args)

    real_write = demo.write_voc_xml
    monkeypatch.setattr(demo, "write_voc_xml", failing_write)
    with pytest.raises(KeyboardInterrupt):
        write_demo(tmp_path, n_scenes=3, seed=0, width=WIDTH, height=HEIGHT, log=lambda _: None)
    # Scene 0 is complete; scene 1 has its image but no XML, and nothing half-written remains.
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left == ["scene_000.jpg", "scene_000.xml", "scene_001.jpg"]
    assert parse_voc_xml(tmp_path / "scene_000.xml").objects
