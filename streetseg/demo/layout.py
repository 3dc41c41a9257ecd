"""Geometry of the synthetic scenes: a pinhole camera over a street, projected to polygons."""

from __future__ import annotations

import numpy as np

from streetseg.demo.materials import (
    ANCHORS,
    ASPHALT,
    BARK,
    CONCRETE,
    FACADE,
    GRASS,
    LEAFY,
    PAVING,
    SKY,
    pick_colour,
)


class Camera:
    """A pinhole camera ``height`` metres above flat ground, looking down the street (+Z)."""

    def __init__(self, focal: float, vanish_x: float, horizon: float, height: float):
        self.focal, self.vanish_x, self.horizon, self.height = focal, vanish_x, horizon, height

    def project(self, points) -> np.ndarray:
        """World points (X right, Y up, Z ahead) to image coordinates (x, y)."""
        x, y, z = np.asarray(points, dtype=np.float64).T
        return np.stack(
            [self.vanish_x + self.focal * x / z, self.horizon + self.focal * (self.height - y) / z],
            axis=1,
        )

    def box(self, x0, x1, y0, y1, z0, z1) -> np.ndarray:
        """The outline of a world box (flat ones too): the hull of its projected corners."""
        corners = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
        return convex_hull(self.project(corners))


def convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain: the hull's corners, counter-clockwise, duplicates removed."""
    ordered = sorted(set(map(tuple, np.round(points, 9))))

    def chain(sequence):
        hull = []
        for x, y in sequence:
            while len(hull) > 1 and (hull[-1][0] - hull[-2][0]) * (y - hull[-2][1]) <= (
                hull[-1][1] - hull[-2][1]
            ) * (x - hull[-2][0]):
                hull.pop()
            hull.append((x, y))
        return hull[:-1]

    return np.array(chain(ordered) + chain(ordered[::-1]), dtype=np.float64).reshape(-1, 2)


def clip_polygon(polygon: np.ndarray, left, top, right, bottom) -> np.ndarray:
    """Sutherland-Hodgman clipping to a rectangle, so exported shapes end just past the image."""
    points = [tuple(point) for point in polygon]
    for axis, bound, sign in ((0, left, 1), (0, right, -1), (1, top, 1), (1, bottom, -1)):
        inside = [sign * (point[axis] - bound) >= 0 for point in points]
        clipped = []
        for index, point in enumerate(points):
            previous = points[index - 1]
            if inside[index] != inside[index - 1]:
                t = (bound - previous[axis]) / (point[axis] - previous[axis])
                clipped.append(tuple(p + t * (q - p) for p, q in zip(previous, point)))
            if inside[index]:
                clipped.append(point)
        points = clipped
    return np.array(points, dtype=np.float64).reshape(-1, 2)


def blob(rng, centre_x, centre_y, radius_x, radius_y, n_vertices=48) -> np.ndarray:
    """An irregular outline: a circle whose radius wobbles with a few random harmonics."""
    angles = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    wobble = 1 + rng.normal(0, 0.03, n_vertices)
    for harmonic in range(2, 7):
        phase = rng.uniform(0, 2 * np.pi)
        wobble += rng.uniform(0, 0.3 / harmonic) * np.cos(harmonic * angles + phase)
    return np.stack(
        [
            centre_x + radius_x * wobble * np.cos(angles),
            centre_y + radius_y * wobble * np.sin(angles),
        ],
        axis=1,
    )


def layout_scene(rng, width: int, height: int):
    """Build a street and project it: (parts, cars, world) for the painter.

    Parts are (class_name, polygon, texture, colour, facade) in paint order; ``facade`` is a
    building's window grid. Cars are unannotated (polygon, colour) clutter.
    """
    camera = Camera(
        width * rng.uniform(0.55, 0.9),
        width * rng.uniform(0.3, 0.7),
        height * rng.uniform(0.36, 0.56),
        rng.uniform(1.5, 2.3),
    )
    # The nearest ground row lies below the image, so ground shapes get clipped at the bottom.
    z_near = camera.focal * camera.height / (height + 12 - camera.horizon)
    z_far = rng.uniform(35, 90)
    z_end = z_far * rng.uniform(1.0, 1.6)  # Where a far row of buildings may close the street.
    colours = {name: pick_colour(rng, name) for name in ANCHORS}
    queue, cars, building_lines = [], [], {}

    def add(depth, name, polygon, texture, material, facade=None):
        # Parts of one material share the scene's colour up to a small jitter.
        if isinstance(material, str):
            material = np.clip(colours[material] * rng.uniform(0.92, 1.08, 3), 0, 255)
        # Ground first; then buildings, which everything else stands in front of; then the
        # rest, far to near. Nothing but a building reaches past a building line.
        layer = 0 if depth == np.inf else 1 if name == "building" else 2
        queue.append(((layer, -depth), (name, polygon, texture, material, facade)))

    def add_building(x0, x1, base, top, z0, z1, side_row):
        # Windows sit on the face towards the street: X = x0 in a side row, Z = z0 far away.
        axis, plane, extent = (0, x0, (z0, z1)) if side_row else (2, z0, (x0, x1))
        grid = (
            rng.uniform(2.2, 4.5),
            rng.uniform(2.8, 4.0),
            rng.uniform(0.3, 0.7) * (rng.random() < 0.85),
            rng.uniform(0.35, 0.65),
        )
        colour = pick_colour(rng, "building") if rng.random() < 0.6 else "building"
        facade = (axis, plane, *extent, base, top, *grid, *pick_colour(rng, "window"))
        add(z0, "building", camera.box(x0, x1, base, top, z0, z1), FACADE, colour, facade)

    def ground(x0, x1, z1=z_far):
        return camera.box(x0, x1, 0, 0, z_near, z1)  # A flat strip of ground.

    sky = [(-9, -9), (width + 9, -9), (width + 9, camera.horizon + 0.5), (-9, camera.horizon + 0.5)]
    left, right = -rng.uniform(1.5, 6), rng.uniform(2.5, 8)
    add(np.inf, "sky", np.array(sky, dtype=np.float64), SKY, "sky")
    add(np.inf, "road", ground(left, right), ASPHALT, "road")
    for side, edge in ((-1, -left), (1, right)):
        walk = rng.uniform(1.5, 5) * (rng.random() < 0.9)
        verge = rng.uniform(1.0, 6.0) * (rng.random() < 0.7)
        lot = rng.uniform(2.5, 12.0) * (rng.random() < 0.55)
        line = edge + walk + verge + lot  # This side's building line.
        if walk:
            add(np.inf, "sidewalk", ground(side * edge, side * (edge + walk)), PAVING, "sidewalk")
        if verge:
            lawn = ground(side * (edge + walk), side * (edge + walk + verge))
            add(np.inf, "landscaping", lawn, GRASS, "landscaping")
        hedges = False
        if rng.random() < 0.75:
            # Buildings stand on a fence or hedge band that nobody annotated. Cars in the lot
            # are lower than that band, so no facade ever cuts through unannotated clutter.
            base, z, hedges = rng.uniform(0.8, 2.4), rng.uniform(0.3, 8.0), rng.random() < 0.35
            building_lines[side] = line
            while z < z_end:
                length, top = rng.uniform(6, 25), rng.uniform(4, 30)
                if rng.random() < 0.85:
                    z1 = min(z + length, z_end)
                    add_building(side * line, side * (line + 15), base, top, z, z1, True)
                    if hedges:  # An annotated hedge instead of the unannotated fence.
                        hedge = camera.box(side * (line - 0.8), side * line, 0, base, z, z1)
                        add(z, "landscaping", hedge, LEAFY, "landscaping")
                z += length
        else:
            base = camera.height  # Above the horizon only sky lies behind a parked car.
            if rng.random() < 0.5:  # An open side: a park that reaches the horizon.
                park = ground(side * line, side * 400, 400)
                add(np.inf, "landscaping", park, GRASS, "landscaping")
                lot = 0  # A car would be cut by the park behind it, so none is parked here.
        for z in np.arange(rng.uniform(6, 12), z_far, rng.uniform(7, 16)):
            if rng.random() < (0.75 if verge else 0.45):
                x = side * (edge + walk + (verge / 2 if verge else -0.6)) + rng.normal(0, 0.2)
                trunk, radius = rng.uniform(1.5, 3.5), rng.uniform(1.2, 3.5)
                stem = camera.box(x - 0.15, x + 0.15, 0, trunk + 0.4 * radius, z - 0.15, z + 0.15)
                add(z, "tree", stem, BARK, "trunk")
                centre_x, centre_y = camera.project([(x, trunk + radius, z)])[0]
                size_x = radius * camera.focal / z
                crown = blob(rng, centre_x, centre_y, size_x, size_x * rng.uniform(0.9, 1.3))
                add(z, "tree", crown, LEAFY, "tree")
        # Shrubs grow on the lawn, nearer the road than any parked car they could hide.
        for z in rng.uniform(z_near + 2, z_far, rng.integers(0, 5) * (verge > 1)):
            x = side * (edge + walk + rng.uniform(0.3, verge - 0.3))
            size = rng.uniform(0.6, 2.0)
            centre_x, ground_y = camera.project([(x, 0, z)])[0]
            scale = size * camera.focal / z
            shrub = blob(rng, centre_x, ground_y, scale, 0.6 * scale, 32)
            shrub[:, 1] = np.minimum(shrub[:, 1], ground_y)  # Shrubs sit flat on the ground.
            add(z, "landscaping", shrub, LEAFY, "landscaping")
        for z in rng.uniform(z_near + 2, z_far, rng.integers(0, 5) * (lot > 3 and not hedges)):
            x, car_height = side * (line - rng.uniform(0.8, lot - 2.2)), rng.uniform(1.3, 1.6)
            car = camera.box(x, x - side * 1.8, 0, min(car_height, base - 0.05), z, z + 4.4)
            cars.append((car, pick_colour(rng, "clutter")))
        if rng.random() < 0.3:  # A jersey barrier along the road edge.
            z0, z1 = rng.uniform(z_near + 2, z_far / 2), rng.uniform(10, 60)
            barrier = camera.box(side * (edge - 0.6), side * edge, 0, 0.85, z0, z0 + z1)
            add(z0, "concrete", barrier, CONCRETE, "concrete")
    if right - left > 8 and rng.random() < 0.4:  # A raised median between the carriageways.
        middle = left + (right - left) * rng.uniform(0.4, 0.6)
        median = camera.box(middle - 0.3, middle + 0.3, 0, rng.uniform(0.3, 0.9), z_near, z_far)
        add(z_near, "concrete", median, CONCRETE, "concrete")
    if rng.random() < 0.35:  # An overpass: a deck across the street on two pillars.
        z0, deck, length = rng.uniform(12, 45), rng.uniform(4.5, 7), rng.uniform(6, 12)
        # The deck runs from building line to building line, or far out on an open side.
        ends = [-building_lines.get(-1, 300), building_lines.get(1, 300)]
        span = camera.box(*ends, deck, deck + rng.uniform(1, 2), z0, z0 + length)
        add(z0, "concrete", span, CONCRETE, "concrete")
        for x in (left - 0.8, right + 0.8):
            pillar = camera.box(x - 0.5, x + 0.5, 0, deck, z0 + 1, z0 + 2.5)
            add(z0 + 1, "concrete", pillar, CONCRETE, "concrete")
    if rng.random() < 0.75:  # A row of buildings across the far end of the street.
        x, base = rng.uniform(-90, -60), rng.uniform(0, 2)
        while x < 90:
            span = rng.uniform(8, 25)
            add_building(x, x + span, base, rng.uniform(5, 40), z_end, z_end + 12, False)
            x += span
    queue.sort(key=lambda item: item[0])  # The painter's order; ties keep their order.
    world = {"camera": camera, "left": left, "right": right, "building_lines": building_lines}
    return [part for _, part in queue], cars, world


def finish_polygon(polygon: np.ndarray, width: int, height: int, margin: float) -> np.ndarray:
    """Clip to a frame just past the image, then round to the XML's two decimals."""
    low, high = polygon.min(axis=0), polygon.max(axis=0)
    if min(low) < -margin or high[0] > width + margin or high[1] > height + margin:
        polygon = clip_polygon(polygon, -margin, -margin, width + margin, height + margin)
    rounded = [float(f"{value:.2f}") for value in polygon.ravel()]
    return np.array(rounded, dtype=np.float64).reshape(-1, 2)
