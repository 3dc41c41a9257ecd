"""Readers for the annotation formats that labelling tools and datasets export.

Each module reads one format (or two close ones) and describes it in ``DESCRIPTORS``;
streetseg.labels.formats.registry lists the modules, in detection order, the one list of
formats. Polygon formats become an :class:`~streetseg.labels.formats.base.Annotation` of
shapes; dense formats (label images) are decoded to class ids directly.
"""
