"""Readers for the annotation formats that labelling tools and datasets export.

Polygon formats (Labelbox VOC XML, LabelMe 3.0 XML, CVAT 1.1 XML, labelme JSON, COCO JSON)
become an :class:`~streetseg.labels.formats.base.Annotation` of shapes; dense label PNGs (index or
colour) are read by :mod:`streetseg.labels.formats.dense`, and the PNGs of a CVAT mask export
through its labelmap.txt by :mod:`streetseg.labels.formats.cvat_mask`.
"""
