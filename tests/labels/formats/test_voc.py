"""The Labelbox PASCAL VOC XML parser: floats, boxes, names and refusal of bad files."""

from pathlib import Path

import numpy as np
import pytest

from streetseg.labels.annotations import AnnotationError
from streetseg.labels.formats.voc import parse_voc_xml, write_voc_xml

HEADER = (
    "<annotation><filename>a.jpg</filename>"
    "<size><width>10</width><height>8</height><depth>3</depth></size>"
)


def road(polygon: str) -> str:
    """A whole file: HEADER and one 'road' object whose <polygon> holds ``polygon``."""
    return f"{HEADER}<object><name>road</name><polygon>{polygon}</polygon></object></annotation>"


@pytest.fixture
def write_xml(tmp_path):
    """Write an XML string to a file in tmp_path and return its path."""

    def write(text: str, name: str = "sample.xml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def test_polygon_points_are_read_in_numbered_order_as_floats(write_xml):
    path = write_xml(
        HEADER + "<object><name>road</name><polygon>"
        "<x3>0.5</x3><y3>7.25</y3><x1>1</x1><y1>2</y1><x2>9.75</x2><y2>2.5</y2>"
        "</polygon></object></annotation>"
    )
    annotation = parse_voc_xml(path)
    assert (annotation.width, annotation.height, annotation.filename) == (10, 8, "a.jpg")
    assert annotation.objects[0].name == "road"
    np.testing.assert_array_equal(
        annotation.objects[0].vertices, [[1.0, 2.0], [9.75, 2.5], [0.5, 7.25]]
    )


def test_bndbox_becomes_a_four_corner_polygon(write_xml):
    path = write_xml(
        HEADER + "<object><name>sky</name><bndbox><xmin>1</xmin><ymin>2</ymin>"
        "<xmax>4.5</xmax><ymax>6</ymax></bndbox></object></annotation>"
    )
    vertices = parse_voc_xml(path).objects[0].vertices
    np.testing.assert_array_equal(vertices, [[1, 2], [4.5, 2], [4.5, 6], [1, 6]])


def test_objects_keep_file_order(write_xml):
    body = "".join(
        f"<object><name>{name}</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>1</xmax>"
        f"<ymax>1</ymax></bndbox></object>"
        for name in ("sky", "road", " Tree ")
    )
    names = [obj.name for obj in parse_voc_xml(write_xml(HEADER + body + "</annotation>")).objects]
    assert names == ["sky", "road", " Tree "]


def test_round_trip_through_writer(tmp_path):
    vertices = np.array([[0.25, 1.5], [8.0, 1.0], [4.12, 7.99]])
    write_voc_xml(tmp_path / "x.xml", "x.jpg", 10, 8, [("building", vertices)])
    parsed = parse_voc_xml(tmp_path / "x.xml")
    np.testing.assert_allclose(parsed.objects[0].vertices, vertices, atol=0.005)


@pytest.mark.parametrize(
    "body, message",
    [
        ("<annotation><object/></annotation>", "missing <size>"),
        (
            road("<x1>1</x1><y1>1</y1><x2>2</x2><y2>2</y2>"),
            "object 1 ('road'): polygon has 2 points",
        ),
        (
            road("<x1>1</x1><y1>1</y1><x2>2</x2><y2>2</y2><x3>3</x3>"),
            "do not pair up",
        ),
        (
            road("<x1>a</x1><y1>1</y1><x2>2</x2><y2>2</y2><x3>3</x3><y3>1</y3>"),
            "x1 is not a number",
        ),
        (
            road("<x1>nan</x1><y1>1</y1><x2>2</x2><y2>2</y2><x3>3</x3><y3>1</y3>"),
            "x1 is not finite",
        ),
        (
            HEADER + "<object><name>road</name></object></annotation>",
            "neither <polygon> nor <bndbox>",
        ),
        (HEADER + "<object><polygon/></object></annotation>", "object 1: missing <name>"),
        (HEADER + "<object><name>road", "malformed XML"),
    ],
)
def test_bad_files_are_refused_with_the_file_and_object_named(write_xml, body, message):
    path = write_xml(body)
    with pytest.raises(AnnotationError) as error:
        parse_voc_xml(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_external_entities_are_never_read(write_xml):
    path = write_xml(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<annotation><filename>&xxe;</filename>"
        "<size><width>4</width><height>4</height></size></annotation>"
    )
    with pytest.raises(AnnotationError, match="DTD or entity"):
        parse_voc_xml(path)


def test_billion_laughs_is_refused(write_xml):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    path = write_xml(
        f'<?xml version="1.0"?><!DOCTYPE a [{entities}]>'
        "<annotation><filename>&lol9;</filename></annotation>"
    )
    with pytest.raises(AnnotationError):
        parse_voc_xml(path)
