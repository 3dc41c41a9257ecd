"""Texturing of the synthetic scenes: colour every labelled region, then add clutter and light."""

from __future__ import annotations

import numpy as np

from streetseg.demo.layout import finish_polygon
from streetseg.demo.materials import (
    AMPLITUDES,
    CLASS_IDS,
    LEAFY,
    LOT,
    pick_colour,
    smooth_noise,
)
from streetseg.labels.rasterize import rasterize


def paint_windows(image, parts, instances, label_map, camera) -> None:
    """Draw each facade's window grid in the facade's own plane, so it follows the perspective."""
    rows, cols = np.nonzero(label_map == CLASS_IDS["building"])
    facades = np.array([(-1,) + (0,) * 12] + [part[4] or (-1,) + (0,) * 12 for part in parts])
    facade = facades[instances[rows, cols]].T
    offset_x = cols + 0.5 - camera.vanish_x
    with np.errstate(divide="ignore", invalid="ignore"):
        side_row = facade[0] == 0  # Side rows face the street in X = const, the far row in Z.
        depth = np.where(side_row, camera.focal * facade[1] / offset_x, facade[1])
        u = np.where(side_row, depth, offset_x * depth / camera.focal)
        v = camera.height - (rows + 0.5 - camera.horizon) * depth / camera.focal
        on_wall = (u > facade[2] + 0.4) & (u < facade[3] - 0.4) & (v > facade[4] + 1)
        on_wall &= v < facade[5] - 0.6
    cell_u, cell_v = np.where(on_wall, u / facade[6], 0), np.where(on_wall, v / facade[7], 0)
    window = on_wall & (cell_u % 1 < facade[8]) & (np.abs(cell_v % 1 - 0.5) < facade[9] / 2)
    slab = on_wall & (cell_v % 1 < 0.06)
    image[rows[slab], cols[slab]] *= 0.85
    # Some windows are lit and some dark: a fixed hash of each window's column and floor.
    lit = np.floor(cell_u).astype(np.int64) * 7919 + np.floor(cell_v).astype(np.int64) * 104729
    lit_factor = 0.7 + 0.06 * (lit[window] % 11)
    image[rows[window], cols[window]] = facade[10:13, window].T * lit_factor[:, None]


def paint_ground(rng, image, label_map, world, ground_x, depth, below) -> None:
    """Lane markings on the road and paving joints on the sidewalks, in ground coordinates."""
    road = (label_map == CLASS_IDS["road"]) & below
    road_x, road_z = ground_x[road], depth[road]
    left, right, lane = world["left"], world["right"], rng.uniform(2.8, 3.7)
    to_line = (road_x - left) % lane
    marks = (
        (road_x > left + 1) & (road_x < right - 1) & (np.minimum(to_line, lane - to_line) < 0.07)
    )
    marks &= road_z / rng.uniform(6, 12) % 1 < rng.uniform(0.3, 0.6)  # Dashed lane lines.
    if rng.random() < 0.6:
        marks |= (np.abs(road_x - left - 0.3) < 0.07) | (np.abs(road_x - right + 0.3) < 0.07)
    if rng.random() < 0.3:
        crossing = rng.uniform(8, 25)
        marks |= (road_z > crossing) & (road_z < crossing + 3) & (road_x % 1.0 < 0.5)
    paint = [230, 230, 225] if rng.random() < 0.7 else [225, 190, 60]
    rows, cols = np.nonzero(road)
    image[rows[marks], cols[marks]] = np.array(paint, np.float32) * rng.uniform(0.7, 1.0)
    walk = (label_map == CLASS_IDS["sidewalk"]) & below
    tile = rng.uniform(0.4, 1.2)
    joints = (ground_x[walk] / tile % 1 < 0.07) | (depth[walk] / tile % 1 < 0.07)
    image[walk] *= np.where(joints, 0.8, 1.0)[:, None]


def paint_clutter(rng, image, label_map, cars, world, grids, fields) -> None:
    """Unannotated clutter, only where the label map is background: fences and parked cars."""
    (ys, ground_x, below), (fine, streaks) = grids, fields
    height, width = label_map.shape
    background = label_map == 0
    band = ~below  # The band under a facade: pixels whose ground lies past the building line.
    for side, line in world["building_lines"].items():
        band |= side * ground_x > line
    band &= background
    image[band] = (
        pick_colour(rng, "clutter") * (1 + 0.3 * streaks[band] + 0.05 * fine[band])[:, None]
    )
    cars = [(finish_polygon(car, width, height, 8), colour) for car, colour in cars]
    cars = [(car, colour) for car, colour in cars if len(car) >= 3]
    car_map = rasterize([(k + 1, car) for k, (car, _) in enumerate(cars)], width, height)
    for k, (car, colour) in enumerate(cars):
        pixels = background & (car_map == k + 1)
        top, bottom = car[:, 1].min(), car[:, 1].max()
        # Windows on the upper part of the body, dark tyres along the bottom.
        up = (ys[pixels] - top) / max(bottom - top, 1.0)
        body = np.where(((up > 0.08) & (up < 0.4))[:, None], [40, 45, 55], colour)
        body = np.where((up > 0.82)[:, None], [25, 25, 25], body)
        image[pixels] = body * (1 + 0.04 * fine[pixels])[:, None]


def paint(rng, parts, cars, world, label_map: np.ndarray) -> np.ndarray:
    """Colour every annotated region with its material's texture, then add clutter and light."""
    height, width = label_map.shape
    camera = world["camera"]
    # The same polygons rasterised by instance let each building, tree and strip carry its own
    # colour and window grid; the class regions are exactly those of the label map.
    instances = rasterize([(k + 1, part[1]) for k, part in enumerate(parts)], width, height)
    texture = np.array([LOT] + [part[2] for part in parts])[instances]
    colour = np.array([pick_colour(rng, "ground")] + [part[3] for part in parts], np.float32)
    ys, xs = np.indices((height, width), dtype=np.float32) + 0.5
    fine = rng.standard_normal((height, width), dtype=np.float32)
    leaves = smooth_noise(rng, height, width, 3, 3)
    streaks = smooth_noise(rng, height, width, 12, 1)
    stains = smooth_noise(rng, height, width, max(height // 6, 1), max(width // 6, 1))
    amp = AMPLITUDES[texture]
    shade = 1 + amp[..., 0] * fine + amp[..., 1] * leaves + amp[..., 2] * streaks
    image = colour[instances] * (shade + amp[..., 3] * stains)[..., None]
    # Where each pixel's ray meets the ground (metres), for road paint, tiles and clutter.
    below = ys > camera.horizon + 0.5
    depth = camera.focal * camera.height / np.maximum(ys - camera.horizon, 0.5)
    ground_x = (xs - camera.vanish_x) * depth / camera.focal
    # The sky pales towards the horizon and carries soft clouds.
    sky = label_map == CLASS_IDS["sky"]
    low_colour, cloud_colour = (parts[0][3] + pick_colour(rng, "sky")) / 2, pick_colour(rng, "sky")
    blend = np.clip(ys[sky] / max(camera.horizon, 1.0), 0, 1)[:, None] ** rng.uniform(0.6, 1.5)
    clouds = np.clip((stains[sky] - rng.uniform(-0.5, 1.2)) * 1.5, 0, 1)[:, None] * rng.random()
    image[sky] = (parts[0][3] * (1 - blend) + low_colour * blend) * (1 - clouds)
    image[sky] += cloud_colour.mean() * 1.1 * clouds
    paint_windows(image, parts, instances, label_map, camera)
    paint_ground(rng, image, label_map, world, ground_x, depth, below)
    leafy = texture == LEAFY  # Gaps and highlights in the foliage.
    image[leafy & (leaves < -1.2)] *= 0.5
    image[leafy & (leaves > 1.3)] *= 1.2
    paint_clutter(rng, image, label_map, cars, world, (ys, ground_x, below), (fine, streaks))
    # Light: soft cast shadows on the ground, a brightness ramp, a tint, contrast and noise.
    image *= (1 - rng.uniform(0.2, 0.45) * below * np.clip((-stains - 0.8) * 2, 0, 1))[..., None]
    angle, ramp = rng.uniform(0, 2 * np.pi), rng.uniform(0, 0.5)
    along = (xs - width / 2) * np.cos(angle) + (ys - height / 2) * np.sin(angle)
    along /= max(width, height)
    image *= ((1 + ramp * along) * rng.uniform(0.65, 1.25))[..., None]
    image *= rng.uniform(0.88, 1.12, 3).astype(np.float32)
    mean = image.mean()
    image = (image - mean) * rng.uniform(0.75, 1.2) + mean
    image += rng.normal(0, rng.uniform(1.5, 6), image.shape).astype(np.float32)
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)
