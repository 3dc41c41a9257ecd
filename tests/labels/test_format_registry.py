"""The format names are stated once, in streetseg.labels.annotations: the schema's
annotations.format choices and the registries agree with it."""

import yaml

from streetseg.labels.annotations import (
    DENSE_FORMATS,
    FORMATS,
    MULTI_IMAGE,
    POLYGON_FORMATS,
    SINGLE_IMAGE,
)
from tests.helpers import REPO


def test_the_schema_offers_auto_and_every_format():
    schema = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())
    choices = schema["properties"]["annotations"]["properties"]["format"]["enum"]
    assert choices == ["auto", *FORMATS]


def test_every_polygon_format_has_exactly_one_reader():
    readers = set(SINGLE_IMAGE) | set(MULTI_IMAGE)
    assert not set(SINGLE_IMAGE) & set(MULTI_IMAGE)
    assert set(POLYGON_FORMATS) == readers
    assert not readers & set(DENSE_FORMATS)
