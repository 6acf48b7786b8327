"""Generate the local sample video served for 普法 videos this deployment cannot reach.

    .venv/bin/pip install imageio-ffmpeg      # a static ffmpeg build from PyPI (one-off tool)
    .venv/bin/python scripts/make_sample_video.py

Writes ``search_api/static/media/pufa-sample.webm`` (VP9, 480×270, 12 s, no
audio, CC0): a swinging balance scale drawn frame by frame with numpy, so the
asset is ours to license and needs no fonts or footage. Not a project
dependency: the output is committed and only this script needs ffmpeg.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "search_api" / "static" / "media" / "pufa-sample.webm"
WIDTH, HEIGHT, FPS, SECONDS = 480, 270, 15, 12
BACKGROUND_TOP, BACKGROUND_BOTTOM = (11, 61, 115), (8, 37, 70)
INK, ACCENT = (255, 255, 255), (255, 196, 61)

yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)


def _paint(frame: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> None:
    frame[mask] = colour


def _segment(x0: float, y0: float, x1: float, y1: float, width: float) -> np.ndarray:
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((xx - x0) * dx + (yy - y0) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(xx - (x0 + t * dx), yy - (y0 + t * dy)) <= width / 2


def frame_at(i: int) -> np.ndarray:
    t = i / FPS
    share = (yy / HEIGHT)[..., None]
    frame = (np.array(BACKGROUND_TOP) * (1 - share) + np.array(BACKGROUND_BOTTOM) * share).astype(
        np.uint8
    )
    cx, pivot_y = WIDTH / 2, 70.0
    angle = 0.18 * math.sin(2 * math.pi * t / 4)
    arm = 130.0
    lx, ly = cx - arm * math.cos(angle), pivot_y - arm * math.sin(angle)
    rx, ry = cx + arm * math.cos(angle), pivot_y + arm * math.sin(angle)
    _paint(frame, _segment(cx, pivot_y, cx, 215, 8), INK)  # post
    _paint(frame, (np.abs(xx - cx) <= 55) & (np.abs(yy - 220) <= 6), INK)  # base
    _paint(frame, _segment(lx, ly, rx, ry, 6), INK)  # beam
    _paint(frame, np.hypot(xx - cx, yy - pivot_y) <= 10, ACCENT)  # pivot
    for px, py in ((lx, ly), (rx, ry)):
        _paint(frame, _segment(px, py, px - 28, py + 60, 3), INK)  # strings
        _paint(frame, _segment(px, py, px + 28, py + 60, 3), INK)
        bowl = (np.abs(xx - px) <= 34) & (yy >= py + 58) & (yy <= py + 58 + 10)
        bowl &= np.hypot((xx - px) / 34, (yy - (py + 58)) / 14) <= 1
        _paint(frame, bowl, ACCENT)
    progress = (yy >= HEIGHT - 6) & (xx <= WIDTH * (i + 1) / (FPS * SECONDS))
    _paint(frame, progress, ACCENT)
    return frame


def main() -> None:
    import imageio_ffmpeg

    OUT.parent.mkdir(parents=True, exist_ok=True)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{WIDTH}x{HEIGHT}",
        "-r",
        str(FPS),
        "-i",
        "-",
        "-c:v",
        "libvpx-vp9",
        "-b:v",
        "0",
        "-crf",
        "42",
        "-row-mt",
        "1",
        "-pix_fmt",
        "yuv420p",
        "-metadata",
        "title=法搜 普法示例视频 (CC0)",
        "-metadata",
        "copyright=CC0 1.0 Universal",
        str(OUT),
    ]
    with subprocess.Popen(command, stdin=subprocess.PIPE) as proc:
        assert proc.stdin is not None
        for i in range(FPS * SECONDS):
            proc.stdin.write(frame_at(i).tobytes())
        proc.stdin.close()
        if proc.wait() != 0:
            raise SystemExit("ffmpeg failed")
    print(f"{OUT} {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
