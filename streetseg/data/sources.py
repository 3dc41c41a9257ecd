"""Where the photos to segment come from: a local folder or an S3 prefix (``s3://bucket/prefix``).

Both are listed the same way (image suffixes only, hidden names skipped, sorted relative
paths, clashing mask names refused) and read the same way: a reader function gives a photo's
bytes by its relative name, from any thread. Each listed photo has a fingerprint that changes
when the photo does: (byte size, modification time) for a file, taken when the job checks its
cache; (byte size, ETag) for an S3 object, taken from the listing itself, so that no job
needs a request per object to find its cached photos.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from streetseg.common import s3
from streetseg.common.images import IMAGE_SUFFIXES
from streetseg.common.s3 import S3Error, is_s3_url


class InferError(ValueError):
    """The inference input cannot be used; the message names the folder, prefix or file."""


def _is_image(name: str) -> bool:
    # Files with other endings (sidecars, notes, thumbnails.db, ...) are skipped.
    return os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def image_listing(location: str | Path) -> dict[str, list | None]:
    """The images below a folder or S3 prefix, sorted by relative name (with "/"), each with
    its fingerprint from the listing: [size, ETag] for S3, None for a folder (see above).

    Hidden files and folders are skipped. Two images whose masks would share a name
    (``a.jpg`` and ``a.png``) are refused, naming both.
    """
    if is_s3_url(location):
        try:
            objects = s3.list_objects(str(location))
        except S3Error as problem:
            raise InferError(str(problem)) from None
        found = {
            name: [size, etag]
            for name, size, etag in objects
            if _is_image(name) and not any(part.startswith(".") for part in name.split("/"))
        }
        listing = {name: found[name] for name in sorted(found)}
    else:
        listing = dict.fromkeys(_walk(Path(location)))
    seen: dict[str, str] = {}
    for name in listing:
        other = seen.setdefault(mask_name(name), name)
        if other != name:
            raise InferError(
                f"{location}: {other} and {name} would share the mask {mask_name(name)}; rename one"
            )
    return listing


def list_images(location: str | Path) -> list[str]:
    """The relative names of the images below a folder or S3 prefix, sorted (see image_listing)."""
    return list(image_listing(location))


def _walk(root: Path) -> list[str]:
    if not root.is_dir():
        raise InferError(f"{root}: infer_images is not a folder (nor an s3://bucket/prefix)")
    found = []
    # Plain string operations: pathlib would take seconds over 100,000 files at every parse.
    for directory, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        found.extend(
            prefix + name for name in files if not name.startswith(".") and _is_image(name)
        )
    found.sort()
    return found


def mask_name(image: str) -> str:
    """The mask's path relative to the masks folder: the image's, ending in .png."""
    return os.path.splitext(image)[0] + ".png"


def source_name(location: str | Path, name: str) -> str:
    """How messages name one photo: its path, or its s3:// URL."""
    if is_s3_url(location):
        bucket, prefix = s3.split_url(str(location))
        return f"s3://{bucket}/{prefix}{name}"
    return str(Path(location) / name)


def file_fingerprint(path: str | Path) -> list | None:
    """[byte size, modification time in ns] of a file, or None where there is no file."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns] if stat.S_ISREG(status.st_mode) else None


def reader(location: str | Path):
    """A function from a photo's relative name to its bytes, safe to call from many threads;
    it raises OSError (a file) or S3Error (an object) naming the photo."""
    if is_s3_url(location):
        client = s3.client()
        return lambda name: s3.fetch(source_name(location, name), client)
    return lambda name: Path(source_name(location, name)).read_bytes()
