"""Synthetic site photos: a scene (buildings, spoil heaps, nets, vehicles, ground) rendered
through a camera, so the same place can be photographed again (another day, another light,
another standpoint, things moved) or the same photo copied, resized, cropped, recompressed.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 640, 480  # the scene's own canvas; cameras see a window of it


@dataclass
class Scene:
    """A place: what stands where. Rendering it twice gives two different photos."""

    seed: int
    sky: tuple[int, int, int]
    ground: tuple[int, int, int]
    horizon: int
    shapes: list[tuple] = field(default_factory=list)

    @classmethod
    def random(cls, rng: random.Random) -> Scene:
        scene = cls(
            seed=rng.randrange(1 << 30),
            sky=(rng.randint(150, 215), rng.randint(170, 225), rng.randint(190, 245)),
            ground=(rng.randint(95, 150), rng.randint(85, 130), rng.randint(60, 105)),
            horizon=rng.randint(150, 260),
        )
        for _ in range(rng.randint(2, 6)):  # buildings on the horizon
            w, h = rng.randint(50, 170), rng.randint(60, 200)
            x = rng.randint(-20, WIDTH - 30)
            grey = rng.randint(90, 200)
            scene.shapes.append(("building", x, scene.horizon - h, w, h, (grey, grey, grey + 8)))
        for _ in range(rng.randint(1, 4)):  # spoil heaps, covered or not
            w = rng.randint(90, 260)
            x = rng.randint(0, WIDTH - 60)
            y = rng.randint(scene.horizon + 40, HEIGHT - 30)
            covered = rng.random() < 0.5
            scene.shapes.append(("heap", x, y, w, rng.randint(40, 120), covered))
        for _ in range(rng.randint(0, 3)):  # vehicles, fences, signs
            kind = rng.choice(["truck", "fence", "sign"])
            x = rng.randint(0, WIDTH - 80)
            y = rng.randint(scene.horizon + 20, HEIGHT - 20)
            colour = (rng.randint(30, 230), rng.randint(30, 230), rng.randint(30, 230))
            scene.shapes.append((kind, x, y, rng.randint(40, 140), rng.randint(20, 60), colour))
        return scene

    def later(self, rng: random.Random) -> Scene:
        """The same place some weeks later: heaps covered, vehicles moved, a sign added."""
        shapes = []
        for shape in self.shapes:
            if shape[0] == "heap" and rng.random() < 0.6:
                shape = (*shape[:5], True)
            elif shape[0] in ("truck", "sign") and rng.random() < 0.7:
                dx = rng.randint(-120, 120)
                shape = (shape[0], shape[1] + dx, *shape[2:])
            shapes.append(shape)
        if rng.random() < 0.5:
            colour = (rng.randint(30, 230), rng.randint(30, 230), rng.randint(30, 230))
            shapes.append(("truck", rng.randint(0, WIDTH - 80), self.horizon + 60, 90, 40, colour))
        return Scene(self.seed, self.sky, self.ground, self.horizon, shapes)


def _canvas(scene: Scene, grain_seed: int, light: float) -> Image.Image:
    rng = np.random.default_rng(grain_seed)
    sky = np.linspace(1.08, 0.9, scene.horizon)[:, None, None] * np.array(scene.sky)
    ground = np.array(scene.ground) * np.ones((HEIGHT - scene.horizon, 1, 1))
    pixels = np.concatenate(
        [
            np.broadcast_to(sky, (scene.horizon, WIDTH, 3)),
            np.broadcast_to(ground, (HEIGHT - scene.horizon, WIDTH, 3)),
        ]
    )
    # ground texture: gravel, tyre tracks and dust differ from one day to the next
    texture = rng.normal(0, 14, (HEIGHT // 4 + 1, WIDTH // 4 + 1))
    texture = np.kron(texture, np.ones((4, 4)))[:HEIGHT, :WIDTH]
    pixels = pixels + (np.arange(HEIGHT)[:, None] >= scene.horizon)[..., None] * texture[..., None]
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    local = random.Random(grain_seed)
    for shape in scene.shapes:
        kind, x, y, w, h = shape[:5]
        if kind == "building":
            draw.rectangle([x, y, x + w, y + h], fill=shape[5])
            for wy in range(y + 8, y + h - 10, 18):
                for wx in range(x + 6, x + w - 10, 16):
                    lit = local.random() < 0.3
                    draw.rectangle(
                        [wx, wy, wx + 8, wy + 10], fill=(230, 220, 160) if lit else (60, 70, 90)
                    )
        elif kind == "heap":
            colour = (40, 120, 60) if shape[5] else (150, 120, 80)
            draw.polygon([(x, y), (x + w // 2, y - h), (x + w, y)], fill=colour)
            if shape[5]:  # the green net's mesh
                for k in range(x, x + w, 9):
                    draw.line([(k, y), (x + w // 2, y - h)], fill=(30, 95, 50), width=1)
        elif kind == "truck":
            draw.rectangle([x, y - h, x + w, y], fill=shape[5])
            draw.ellipse([x + 8, y - 8, x + 24, y + 8], fill=(20, 20, 20))
            draw.ellipse([x + w - 24, y - 8, x + w - 8, y + 8], fill=(20, 20, 20))
        elif kind == "fence":
            for k in range(x, x + w * 2, 12):
                draw.line([(k, y), (k, y - h)], fill=shape[5], width=3)
            draw.line([(x, y - h), (x + w * 2, y - h)], fill=shape[5], width=3)
        elif kind == "sign":
            draw.rectangle([x, y - h - 30, x + w // 2, y - 30], fill=(250, 250, 245))
            draw.line([(x + w // 4, y - 30), (x + w // 4, y)], fill=(80, 80, 80), width=3)
            for row in range(y - h - 24, y - 36, 7):
                draw.line([(x + 4, row), (x + w // 2 - 6, row)], fill=shape[5], width=2)
    array = np.asarray(image).astype(float) * light
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def shoot(scene: Scene, rng: random.Random, *, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """One photo of the scene: a camera at some standpoint, light of the day, sensor noise."""
    light = rng.uniform(0.75, 1.2)
    image = _canvas(scene, rng.randrange(1 << 30), light)
    angle = rng.uniform(-4, 4)
    image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=scene.sky)
    zoom = rng.uniform(0.7, 0.92)
    w, h = int(WIDTH * zoom), int(HEIGHT * zoom)
    x, y = rng.randint(0, WIDTH - w), rng.randint(0, HEIGHT - h)
    image = image.crop((x, y, x + w, y + h)).resize(size, Image.BICUBIC)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(
        0, rng.uniform(2, 6), (*size[::-1], 3)
    )
    array = np.asarray(image).astype(float) + noise
    image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))  # a shaky hand
    return image


def doctor(image: Image.Image, rng: random.Random) -> Image.Image:
    """A copy of a photo passed off as another: resized, cropped, recompressed, retouched."""
    w, h = image.size
    if rng.random() < 0.7:  # cropped
        left, top = int(w * rng.uniform(0, 0.15)), int(h * rng.uniform(0, 0.15))
        right, bottom = w - int(w * rng.uniform(0, 0.15)), h - int(h * rng.uniform(0, 0.15))
        image = image.crop((left, top, right, bottom))
    if rng.random() < 0.8:  # resized
        scale = rng.uniform(0.5, 1.3)
        image = image.resize(
            (max(64, int(image.width * scale)), max(48, int(image.height * scale))), Image.BICUBIC
        )
    if rng.random() < 0.4:  # brightness or contrast nudged
        array = np.asarray(image).astype(float)
        array = (array - 128) * rng.uniform(0.9, 1.1) + 128 + rng.uniform(-12, 12)
        image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    # recompressed on the way (always: it went through a chat app or a document)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(45, 90))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


PHONES = [
    ("HUAWEI", "ELS-AN00", "ELS-AN00 4.0.0.120"),
    ("Xiaomi", "M2012K11AC", "MIUI V14"),
    ("Apple", "iPhone 13", "17.1.2"),
    ("OPPO", "PDEM10", ""),
    ("vivo", "V2148A", ""),
]


def jpeg(
    image: Image.Image,
    rng: random.Random,
    *,
    taken: dt.datetime | None = None,
    where: tuple[float, float] | None = None,
    software: str | None = None,
    phone: tuple[str, str, str] | None = None,
) -> bytes:
    """The photo as a phone (or an editor) saves it: JPEG with EXIF time, GPS, make, software."""
    exif = Image.Exif()
    make, model, firmware = phone or rng.choice(PHONES)
    exif[0x010F], exif[0x0110] = make, model
    if software is not None:  # Chinese apps write UTF-8 into the ASCII field
        exif[0x0131] = software if software.isascii() else software.encode("utf-8")
    elif firmware:
        exif[0x0131] = firmware
    if taken is not None:
        stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = stamp
        exif.get_ifd(0x8769)[0x9003] = stamp
    if where is not None:
        gps = exif.get_ifd(0x8825)
        lat, lon = where
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(abs(lat))
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(abs(lon))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(80, 95), exif=exif)
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return (float(degrees), float(minutes), seconds)


def signature(rng: random.Random, person_seed: int) -> Image.Image:
    """A handwritten signature: the same person's strokes, never twice the same pixels."""
    shape = random.Random(person_seed)
    base = [(shape.uniform(10, 50), shape.uniform(20, 60))]
    for _ in range(shape.randint(8, 14)):
        x, y = base[-1]
        base.append((x + shape.uniform(10, 30), shape.uniform(15, 65)))
    image = Image.new("L", (360, 80), 255)
    draw = ImageDraw.Draw(image)
    points = [(x + rng.gauss(0, 2.5), y + rng.gauss(0, 2.5)) for x, y in base]
    draw.line(points, fill=rng.randint(0, 60), width=rng.choice([2, 3]))
    return image.rotate(rng.uniform(-3, 3), fillcolor=255).convert("RGB")
