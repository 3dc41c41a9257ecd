"""Label Studio's brush RLE: the ``rle-pack`` code of the thi.ng umbrella, which Label Studio's
brush tool writes over the RGBA bytes of a canvas the image's size.

The stream is big-endian bits: a 32-bit count of values, a 5-bit word size minus 1, four 4-bit
run-length field sizes minus 1; then groups until the count is reached, each a flag bit, a
2-bit index into the field sizes and a length minus 1 in that many bits, followed by one word
repeated (flag 1) or by that many literal words (flag 0).

label-studio-converter's ``brush.decode_rle`` reads the same code, but it trusts the header's
count (allocating whatever it says), lets a run pass the end and a short stream end silently,
and reads bit by bit from a text of '0' and '1' characters. This decoder checks each of those
and keeps only the alpha channel; tests/labels/formats compare it with the converter's output.
"""

from __future__ import annotations

import numpy as np

from streetseg.labels.formats.base import AnnotationError

# A pixel belongs to the brush where its alpha is at least half opaque.
ALPHA_THRESHOLD = 128


class _Bits:
    """Reads big-endian bit fields of up to 32 bits from bytes."""

    def __init__(self, data: bytes):
        self.data, self.position, self.length = data + bytes(8), 0, len(data) * 8

    def read(self, size: int) -> int:
        if self.position + size > self.length:
            raise AnnotationError("brush RLE ends in the middle of a run")
        start = self.position >> 3
        window = int.from_bytes(self.data[start : start + 8], "big")
        shift = 64 - (self.position & 7) - size
        self.position += size
        return (window >> shift) & ((1 << size) - 1)

    def words(self, count: int, size: int) -> np.ndarray:
        """``count`` consecutive fields of ``size`` bits, as an array."""
        if self.position + count * size > self.length:
            raise AnnotationError("brush RLE ends in the middle of a run")
        bits = np.unpackbits(
            np.frombuffer(self.data, dtype=np.uint8),
            count=self.position + count * size,
        )[self.position :]
        self.position += count * size
        weights = 1 << np.arange(size - 1, -1, -1, dtype=np.uint64)
        return bits.reshape(count, size).astype(np.uint64) @ weights


def rle_bytes(rle) -> bytes:
    """The bytes of an ``rle`` list, each an integer 0..255."""
    if not isinstance(rle, list) or not rle:
        raise AnnotationError("brush 'rle' is not a non-empty list of bytes")
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in rle):
        raise AnnotationError("brush 'rle' holds a value that is not an integer")
    if min(rle) < 0 or max(rle) > 255:
        raise AnnotationError("brush 'rle' holds a value outside 0..255")
    return bytes(rle)


def decode_alpha(rle, width: int, height: int) -> np.ndarray:
    """The alpha channel (uint8, height x width) of a brush RLE over a width x height RGBA
    canvas; any header, length or truncation that does not fit is an AnnotationError."""
    bits = _Bits(rle_bytes(rle))
    count = bits.read(32)
    if count != width * height * 4:
        raise AnnotationError(
            f"brush RLE holds {count} values; a {width}x{height} RGBA image has "
            f"{width * height * 4}"
        )
    word = bits.read(5) + 1
    sizes = [bits.read(4) + 1 for _ in range(4)]
    alpha = np.zeros(width * height, dtype=np.uint8)
    i = 0
    while i < count:
        repeat = bits.read(1)
        j = i + 1 + bits.read(sizes[bits.read(2)])
        if j > count:
            raise AnnotationError(f"brush RLE run ends at value {j}, past the {count} values")
        if repeat:
            value = bits.read(word)
            alpha[i // 4 : j // 4] = min(value, 255)
        else:
            values = bits.words(j - i, word)
            first = (3 - i) % 4  # The first literal that is an alpha value.
            picked = values[first::4]
            start = (i + first) // 4
            alpha[start : start + len(picked)] = np.minimum(picked, 255)
        i = j
    return alpha.reshape(height, width)


def decode_mask(rle, width: int, height: int) -> np.ndarray:
    """The brush's pixels: alpha at least :data:`ALPHA_THRESHOLD`."""
    return decode_alpha(rle, width, height) >= ALPHA_THRESHOLD
