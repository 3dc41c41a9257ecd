"""Pictures of predictions: colourised masks, error maps and side-by-side panels."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from streetseg.labels.classes import IGNORE_LABEL, ClassTable

ERROR_COLOR = (255, 0, 64)


def colorize(mask: np.ndarray, table: ClassTable) -> np.ndarray:
    """RGB picture of a class-id mask in the class colours (ignored pixels in white)."""
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[: table.num_classes] = table.colors
    palette[IGNORE_LABEL] = (255, 255, 255)
    return palette[mask]


def error_map(image: np.ndarray, truth: np.ndarray, prediction: np.ndarray) -> np.ndarray:
    """The photo dimmed to grey, with wrongly predicted pixels highlighted in red."""
    grey = image.mean(axis=2, keepdims=True).repeat(3, axis=2) * 0.5
    picture = grey.astype(np.uint8)
    wrong = (truth != prediction) & (truth != IGNORE_LABEL)
    picture[wrong] = ERROR_COLOR
    return picture


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType has only the fixed bitmap font.
        return ImageFont.load_default()


def legend_strip(table: ClassTable, width: int, font_size: int = 14) -> Image.Image:
    """A strip of colour swatches with class names, wrapped to ``width`` pixels."""
    font = _font(font_size)
    entries = [(name, color) for name, color in zip(table.names, table.colors)]
    swatch, pad = font_size, 6
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    widths = [
        swatch + pad + int(measure.textlength(name, font=font)) + 3 * pad for name, _ in entries
    ]
    rows, row, used = [], [], 0
    for entry, entry_width in zip(entries, widths):
        if row and used + entry_width > width:
            rows.append(row)
            row, used = [], 0
        row.append((entry, entry_width))
        used += entry_width
    rows.append(row)
    line_height = swatch + pad
    strip = Image.new("RGB", (width, pad + line_height * len(rows)), "white")
    draw = ImageDraw.Draw(strip)
    for row_index, row in enumerate(rows):
        x, y = pad, pad + row_index * line_height
        for (name, color), entry_width in row:
            draw.rectangle(
                [x, y, x + swatch - 1, y + swatch - 1], fill=tuple(color), outline="black"
            )
            draw.text(
                (x + swatch + pad, y + swatch // 2), name, fill="black", font=font, anchor="lm"
            )
            x += entry_width
    return strip


def make_panel(
    image: np.ndarray,
    truth: np.ndarray | None,
    prediction: np.ndarray,
    table: ClassTable,
    title: str = "",
) -> Image.Image:
    """image | ground truth | prediction | errors, titled, with the class legend below."""
    tiles = [("image", image)]
    if truth is not None:
        tiles.append(("ground truth", colorize(truth, table)))
    tiles.append(("prediction", colorize(prediction, table)))
    if truth is not None:
        tiles.append(("errors (red)", error_map(image, truth, prediction)))
    height, width = prediction.shape
    # Small images are enlarged so that titles and legends stay legible.
    zoom = max(1, int(np.ceil(240 / height)))
    tile_w, tile_h, gap, header = width * zoom, height * zoom, 8, 26
    legend = legend_strip(table, len(tiles) * (tile_w + gap) + gap)
    title_h = header if title else 0
    panel = Image.new(
        "RGB", (legend.width, title_h + header + tile_h + gap + legend.height), "white"
    )
    draw = ImageDraw.Draw(panel)
    font = _font(16)
    if title:
        draw.text((gap, title_h // 2 + 2), title, fill="black", font=font, anchor="lm")
    for index, (label, pixels) in enumerate(tiles):
        x = gap + index * (tile_w + gap)
        tile = Image.fromarray(pixels.astype(np.uint8)).resize((tile_w, tile_h), Image.NEAREST)
        panel.paste(tile, (x, title_h + header))
        draw.text(
            (x + tile_w // 2, title_h + header // 2), label, fill="black", font=font, anchor="mm"
        )
    panel.paste(legend, (0, title_h + header + tile_h + gap))
    return panel


def make_overlay(
    image: np.ndarray,
    prediction: np.ndarray,
    table: ClassTable,
    alpha: float = 0.5,
    title: str = "",
) -> Image.Image:
    """The prediction's class colours blended over the photo, titled, with the class legend below.

    Each class pixel becomes ``round((1 - alpha) * photo + alpha * colour)``; ignore-label pixels
    (and any id outside the table) keep the photo so unlabelled areas stay recognisable.
    """
    photo = np.asarray(image, dtype=np.float64)[..., :3]
    colours = colorize(prediction, table).astype(np.float64)
    blended = np.rint((1 - alpha) * photo + alpha * colours)
    labelled = prediction < table.num_classes
    picture = np.where(labelled[..., None], blended, photo).clip(0, 255).astype(np.uint8)
    height, width = prediction.shape
    # Small images are enlarged, as in make_panel, so that the title and legend stay legible.
    zoom = max(1, int(np.ceil(240 / height)))
    tile_w, tile_h, gap, header = width * zoom, height * zoom, 8, 26
    # A narrow photo still gets a legend wide enough for a few names per row.
    canvas_w = max(tile_w + 2 * gap, 320)
    legend = legend_strip(table, canvas_w)
    title_h = header if title else 0
    overlay = Image.new("RGB", (canvas_w, title_h + tile_h + gap + legend.height), "white")
    if title:
        draw = ImageDraw.Draw(overlay)
        draw.text((gap, title_h // 2 + 2), title, fill="black", font=_font(16), anchor="lm")
    tile = Image.fromarray(picture).resize((tile_w, tile_h), Image.NEAREST)
    overlay.paste(tile, ((canvas_w - tile_w) // 2, title_h))
    overlay.paste(legend, (0, title_h + tile_h + gap))
    return overlay
