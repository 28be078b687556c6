#!/usr/bin/env python3
"""Draws the Book & Run icon (a tier ladder: three bars stepping down on a
rounded teal square) as RGBA PNGs, with only the standard library.
Run it from this folder to regenerate the icons tauri needs."""
import struct
import zlib


def png(size):
    bg, fg = (15, 118, 110), (250, 250, 249)
    r = size * 0.22  # corner radius
    bars = [(0.20, 0.30), (0.42, 0.45), (0.64, 0.60)]  # (left, top) as fractions
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            cx, cy = min(max(x + 0.5, r), size - r), min(max(y + 0.5, r), size - r)
            inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r
            px = (0, 0, 0, 0)
            if inside:
                px = bg + (255,)
                fx, fy = (x + 0.5) / size, (y + 0.5) / size
                for left, top in bars:
                    if left <= fx <= left + 0.16 and top <= fy <= 0.80:
                        px = fg + (255,)
            row += bytes(px)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(name, "wb") as f:
        f.write(png(size))
