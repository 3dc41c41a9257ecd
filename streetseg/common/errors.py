"""The error a bad input file raises: the file, the object in it and the problem as fields.

Every reader of user files (annotations, images, masks) raises a :class:`FileError` or a
subclass, so that the problem table (streetseg.common.problems) takes its columns from the
fields and never re-parses the message. No imports beyond the standard library: images,
labels and the listing all use it.
"""

from __future__ import annotations


class FileError(ValueError):
    """A file cannot be used. The message reads "file: object: problem", or "file: problem"
    where the whole file is at fault.

    The helper that finds a problem raises it alone; the file and the object are named by the
    callers that know them, with :meth:`at` (or streetseg.labels.formats.base.error_context).
    Each is named once: the innermost caller's wins (a polygon part is more precise than its
    annotation).
    """

    def __init__(self, problem: str, file=None, where: str | None = None):
        super().__init__(problem)
        self.problem, self.file, self.where = problem, None, None
        self.at(file, where)

    def at(self, file=None, where: str | None = None):
        """Name the file and the object at fault, unless they are named already."""
        if self.file is None and file is not None:
            self.file = str(file)
        if self.where is None and where:
            self.where = where
        self.args = (": ".join(part for part in (self.file, self.where, self.problem) if part),)
        return self

    def copy(self):
        """A new error with the same fields, to raise again without growing this traceback."""
        return type(self)(self.problem, self.file, self.where)
