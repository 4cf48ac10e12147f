"""Draws static/portal/img/favicon.ico (16, 32 and 48 px): a white house on the portal's blue,
for coming home. Run once after changing it: `.venv/bin/python scripts/make_favicon.py`."""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = "#0b3d91"
SIZE = 256
OUTPUT = Path(__file__).resolve().parent.parent / "static" / "portal" / "img" / "favicon.ico"


def draw() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=48, fill=BLUE)
    pen.polygon([(40, 120), (128, 40), (216, 120)], fill="white")
    pen.rectangle((72, 120, 184, 216), fill="white")
    pen.rectangle((110, 150, 146, 216), fill=BLUE)
    return image


if __name__ == "__main__":
    draw().save(OUTPUT, sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
