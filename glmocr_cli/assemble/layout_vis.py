"""--layout-vis: the page with a coloured, labelled box per region and its reading-order number."""

from __future__ import annotations

import colorsys
import io

from PIL import Image, ImageDraw, ImageFont

from ..document import LABELS, Region


def label_colour(label: str) -> tuple[int, int, int]:
    """A fixed, well-spread colour per PP-DocLayout-V3 label."""
    k = LABELS.index(label) if label in LABELS else len(LABELS)
    r, g, b = colorsys.hsv_to_rgb((k * 0.618034) % 1.0, 0.85, 0.85)
    return int(r * 255), int(g * 255), int(b * 255)


def render_layout_vis(image: Image.Image, regions: list[Region]) -> bytes:
    base = image.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    size = max(12, image.height // 90)
    font = ImageFont.load_default(size=size)
    for region in sorted(regions, key=lambda r: r.order):
        colour = label_colour(region.label)
        box = tuple(int(round(v)) for v in region.bbox)
        draw.rectangle(box, fill=(*colour, 40), outline=(*colour, 255), width=max(2, size // 6))
        caption = f"{region.order} {region.label}"
        x, y = box[0], max(0, box[1] - size - 4)
        text_box = draw.textbbox((x + 2, y + 1), caption, font=font)
        draw.rectangle((x, y, text_box[2] + 2, text_box[3] + 2), fill=(*colour, 220))
        draw.text((x + 2, y + 1), caption, fill=(255, 255, 255, 255), font=font)
    buffer = io.BytesIO()
    Image.alpha_composite(base, overlay).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()
