"""Crop geometry for GLM-OCR, as the reference pipeline shapes what the model sees.

The SDK (glmocr 0.1.5) crops a region from its box normalised to 0-1000 (`crop_image_region`),
resizes it with its own `smart_resize` (frames t=2, min 112*112, max 14*14*4*1280 pixels) and the
server's image processor resizes it again with the checkpoint's bounds (shortest_edge 12544,
longest_edge 9633792, again for t=2: 6,144 image tokens at most). `fit_to_grid` is those two steps in
a row; we resample once, to the final size (the SDK resamples twice and sends JPEG: see the README).

The processor refuses a side ratio over 200 ("absolute aspect ratio must be smaller than 200"); the
SDK does nothing about it (the server then rejects the crop and the region is lost). We pad the
short side with white, centred, so that such a crop is still read at its own scale.
"""

from __future__ import annotations

import math

from PIL import Image

FACTOR = 28  # patch 14 x spatial merge 2
FRAMES = 2  # temporal patch: an image counts as two frames in smart_resize
SDK_MIN_PIXELS = 112 * 112  # SDK config.yaml page_loader.min_pixels
SDK_MAX_PIXELS = 71372800  # SDK config.yaml page_loader.max_pixels
PROCESSOR_MIN_PIXELS = 12544  # zai-org/GLM-OCR preprocessor_config.json size.shortest_edge
PROCESSOR_MAX_PIXELS = 9633792  # size.longest_edge (= 2 frames x 6,144 tokens x 28 x 28)
# The real checkpoint's image-processor `size`, for the test and bench checkpoints we build.
CHECKPOINT_PROCESSOR_SIZE = {"shortest_edge": PROCESSOR_MIN_PIXELS, "longest_edge": PROCESSOR_MAX_PIXELS}
MAX_ASPECT = 200  # the image processor's limit on max(side) / min(side)
PAD_FILL = (255, 255, 255)  # the SDK's fill colour outside a region (crop_image_region)


def smart_resize(
    height: int, width: int, *, min_pixels: int, max_pixels: int, factor: int = FACTOR, frames: int = FRAMES
) -> tuple[int, int]:
    """(height, width) on the `factor` grid with frames*h*w within the bounds (SDK and transformers)."""
    h_bar, w_bar = round(height / factor) * factor, round(width / factor) * factor
    if frames * h_bar * w_bar > max_pixels:
        beta = math.sqrt(frames * height * width / max_pixels)
        # max(factor, .): where the SDK would resize to a zero side and fail, keep one patch row
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif frames * h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (frames * height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def fit_to_grid(width: int, height: int) -> tuple[int, int]:
    """(width, height) the model sees: the SDK's resize, then the image processor's."""
    h, w = smart_resize(height, width, min_pixels=SDK_MIN_PIXELS, max_pixels=SDK_MAX_PIXELS)
    h, w = smart_resize(h, w, min_pixels=PROCESSOR_MIN_PIXELS, max_pixels=PROCESSOR_MAX_PIXELS)
    return w, h


def sdk_crop_box(bbox, width: int, height: int) -> tuple[int, int, int, int]:
    """The pixels the SDK crops for a layout box: integer box -> 0-1000 -> back to pixels.

    At least one pixel each way (the SDK would crop an empty image from a sub-pixel box)."""
    norm = [int(float(int(v)) / size * 1000) for v, size in zip(bbox, (width, height, width, height))]
    x0, y0, x1, y1 = (int(n * size / 1000) for n, size in zip(norm, (width, height, width, height)))
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def aspect(size: tuple[int, int]) -> float:
    return max(size) / min(size)


def pad_to_aspect(image: Image.Image) -> Image.Image:
    """`image` itself, or padded (white, centred) on its short side until its grid is within 200:1."""
    if aspect(fit_to_grid(*image.size)) <= MAX_ASPECT:
        return image
    width, height = image.size
    wide = width >= height
    long_side = max(width, height)
    short = max(math.ceil(long_side / MAX_ASPECT), min(width, height))
    while True:
        size = (long_side, short) if wide else (short, long_side)
        if aspect(fit_to_grid(*size)) <= MAX_ASPECT:
            break
        short += FACTOR // 2
    canvas = Image.new("RGB", size, PAD_FILL)
    offset = (0, (short - height) // 2) if wide else ((short - width) // 2, 0)
    canvas.paste(image.convert("RGB"), offset)
    return canvas


def prepare_crop(image: Image.Image) -> Image.Image:
    """A crop resized (bicubic) to the grid the model will see, so the processor leaves it as is."""
    image = pad_to_aspect(image.convert("RGB"))
    w, h = fit_to_grid(*image.size)
    return image if image.size == (w, h) else image.resize((w, h), Image.BICUBIC)
