"""The formats are described once, by their modules, and registered in one place: the
schema's annotations.format choices, the suffix lists and detection come from the registry."""

import pytest
import yaml

from streetseg.labels.formats import registry
from streetseg.labels.formats.registry import DENSE, POLYGON, Format
from tests.helpers import REPO


def test_the_schema_offers_auto_and_every_format_in_detection_order():
    schema = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
    choices = schema["properties"]["annotations"]["properties"]["format"]["enum"]
    assert choices == ["auto", *registry.names()]


def test_every_format_has_exactly_the_readers_its_kind_needs():
    assert set(registry.names(POLYGON)) | set(registry.names(DENSE)) == set(registry.formats())
    for fmt in registry.formats().values():
        if fmt.kind == POLYGON:
            assert (fmt.parse is None) != (fmt.index is None), fmt.name
            assert fmt.decode is None and (fmt.image_names is not None) == fmt.multi_image
        else:
            assert fmt.decode is not None and fmt.parse is fmt.index is None, fmt.name
        assert fmt.suffixes and all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)


def test_the_suffix_lists_come_from_the_formats():
    assert registry.suffixes(POLYGON) == (".xml", ".json", ".ndjson", ".jsonl")
    assert registry.suffixes(DENSE) == (".png", ".tif", ".tiff", ".bmp", ".gif")


def test_a_format_that_breaks_the_rules_is_refused_when_registered():
    def never(peek):
        return False

    assert "coco_json" in registry.formats()
    with pytest.raises(ValueError, match="'coco_json' is registered twice"):
        registry.register(Format("coco_json", "COCO", POLYGON, (".json",), never, parse=never))
    with pytest.raises(ValueError, match="needs exactly one of parse and index"):
        registry.register(Format("shapes_txt", "shapes", POLYGON, (".txt",), never))
    with pytest.raises(ValueError, match="needs decode"):
        registry.register(Format("mask_raw", "raw mask", DENSE, (".raw",), never))
    assert "shapes_txt" not in registry.formats() and "mask_raw" not in registry.formats()


def test_a_file_no_format_claims_is_refused_with_what_each_looks_for(tmp_path):
    from streetseg.labels.formats.base import AnnotationError

    path = tmp_path / "a.json"
    path.write_text('{"objects": []}')
    with pytest.raises(AnnotationError) as error:
        registry.detect(path)
    assert error.value.problem == (
        "JSON is neither labelme (shapes), COCO (images, annotations), Labelbox (a list of "
        "rows with Label), Label Studio (a list of tasks with data), Supervisely (size, "
        "objects) nor Cityscapes (imgHeight, imgWidth, objects)"
    )


def test_the_format_table_of_the_docs_is_generated_from_the_registry():
    from tests.helpers import load_tool

    tool = load_tool("format_docs")
    text = tool.OUTPUT.read_text()
    assert tool.render(text) == text, "docs/inputs.md is stale: run make docs"
    for name in registry.formats():
        assert f"| `{name}` |" in text
