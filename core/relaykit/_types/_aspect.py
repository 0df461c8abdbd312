"""Aspect ratios: the nearest supported one to a requested size (for plugins whose vendor takes ratios)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

__all__ = ["nearest_aspect_ratio"]


def nearest_aspect_ratio(size: str, supported: Iterable[str]) -> str:
    """The ratio among `supported` (``"16:9"``...) closest to ``WIDTHxHEIGHT`` `size`.

    Closeness is measured on the logarithm of width / height, so ``2:1`` and ``1:2`` are equally
    far from ``1:1``; ties go to the first in `supported`. Raises ValueError for a malformed size
    or ratio, or an empty `supported`.
    """
    width, _, height = size.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise ValueError(f"size: {size!r} is not WIDTHxHEIGHT")
    wanted = Fraction(int(width), int(height))
    best: tuple[float, str] | None = None
    for ratio in supported:
        w, _, h = ratio.partition(":")
        distance = abs(math.log(Fraction(int(w), int(h)) / wanted))
        if best is None or distance < best[0]:
            best = (distance, ratio)
    if best is None:
        raise ValueError("no supported aspect ratio to choose from")
    return best[1]
