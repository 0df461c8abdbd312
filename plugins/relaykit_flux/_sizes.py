"""Sizes and aspect ratios as each FLUX family takes them.

Reference: ``shared/dialects/flux.md`` sections 2 and 7. FLUX 1.x pro / dev take ``width`` and
``height`` from 256 to 1440 in multiples of 32; FLUX.2 takes multiples of 16, at least 64, at
most 4 MP in all. Ultra and Kontext take ``aspect_ratio`` between 21:9 and 9:21.

- A `size` for a pixel model is kept in shape: scaled down (or up) until it fits the family's
  limits, then each side rounded to the nearest multiple; any change is logged
  (``relaykit.request.adjusted``).
- An `aspect_ratio` for a pixel model becomes the size of that shape closest to one megapixel.
- A `size` for a ratio model becomes the nearest common ratio (`RATIOS`, by
  `nearest_aspect_ratio`); an `aspect_ratio` is sent as given when it lies within the range.
"""

from __future__ import annotations

import math
from fractions import Fraction

from relaykit import InvalidRequestError
from relaykit.plugin import CallContext, nearest_aspect_ratio

from ._common import adjusted
from ._models import PixelRules

__all__ = ["RATIOS", "fit_pixels", "pixels_for", "ratio_for"]

RATIOS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
"""The ratios a `size` is converted to for ultra and Kontext (BFL takes any between 21:9 and 9:21)."""
_WIDEST = Fraction(21, 9)
_TARGET_PIXELS = 1024 * 1024


def pixels_for(
    ctx: CallContext, rules: PixelRules, size: str | None, aspect_ratio: str | None
) -> tuple[int, int] | None:
    """The ``(width, height)`` to send for a pixel model, or None to leave BFL's default."""
    if size is not None:
        width, _, height = size.partition("x")
        wanted = (int(width), int(height))
        sent = fit_pixels(rules, *wanted)
        if sent != wanted:
            reason = f"sides {rules.low}-{rules.high} px in multiples of {rules.step}" + (
                f", at most {rules.max_pixels / 1_000_000:.1f} MP" if rules.max_pixels else ""
            )
            adjusted(ctx, "size", "snapped", reason, requested=size, sent=f"{sent[0]}x{sent[1]}")
        return sent
    if aspect_ratio is not None:
        ratio = _ratio(aspect_ratio)
        sent = fit_pixels(rules, math.sqrt(_TARGET_PIXELS * ratio), math.sqrt(_TARGET_PIXELS / ratio))
        adjusted(
            ctx, "aspect_ratio", "converted", "this FLUX model takes width and height", sent=f"{sent[0]}x{sent[1]}"
        )
        return sent
    return None


def fit_pixels(rules: PixelRules, width: float, height: float) -> tuple[int, int]:
    """`width` x `height` scaled into `rules`' limits (keeping the shape), sides rounded to the step."""
    scale = min(1.0, rules.high / max(width, height))
    if rules.max_pixels:
        scale = min(scale, math.sqrt(rules.max_pixels / (width * height)))
    scale = max(scale, rules.low / min(width, height))
    sides = [_snap(rules, side * scale) for side in (width, height)]
    while rules.max_pixels and sides[0] * sides[1] > rules.max_pixels:
        larger = 0 if sides[0] >= sides[1] else 1
        sides[larger] -= rules.step
    return sides[0], sides[1]


def ratio_for(ctx: CallContext, size: str | None, aspect_ratio: str | None) -> str | None:
    """The ``aspect_ratio`` to send for a ratio model (see the module docstring), or None."""
    if size is not None:
        ratio = nearest_aspect_ratio(size, RATIOS)
        adjusted(ctx, "size", "converted", "this FLUX model takes an aspect ratio", requested=size, sent=ratio)
        return ratio
    if aspect_ratio is not None and not 1 / _WIDEST <= _ratio(aspect_ratio) <= _WIDEST:
        raise InvalidRequestError(
            f"aspect_ratio: FLUX takes ratios between 21:9 and 9:21, not {aspect_ratio}", field="aspect_ratio"
        )
    return aspect_ratio


def _ratio(text: str) -> Fraction:
    width, _, height = text.partition(":")
    return Fraction(int(width), int(height))


def _snap(rules: PixelRules, side: float) -> int:
    snapped = math.floor(side / rules.step + 0.5) * rules.step  # halves round up
    low = math.ceil(rules.low / rules.step) * rules.step
    high = math.floor(rules.high / rules.step) * rules.step
    return min(max(snapped, low), high)
