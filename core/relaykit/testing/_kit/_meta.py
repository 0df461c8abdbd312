"""The kit's version, the `check` decorator every check carries, and the rules that skip a check.

Versioning policy (semver, for the *checks*, independent of relaykit's own version):

- **patch** (1.0.x): a check is corrected; it never becomes stricter.
- **minor** (1.x): new checks, each marked ``since="1.x"``. A suite runs the checks of the kit
  minor it pins (``Target.kit_version``) and skips newer ones with the reason, so upgrading
  relaykit never breaks an integrator's CI; ``--relaykit-kit-preview`` runs them anyway.
- **major** (x.0): checks may change or go. A suite that pins another major fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, TypeVar

from ..._provider import Capability

__all__ = [
    "KIT_VERSION",
    "CheckInfo",
    "KitVersionError",
    "Need",
    "check",
    "check_info",
    "check_pin",
    "parse_pin",
    "too_new",
]

KIT_VERSION = "1.1.0"
"""The conformance kit's version (semver; see the module docstring for the policy)."""

Need: TypeAlias = Literal["emulator", "script", "script_error"]
"""What a check needs besides capabilities: a running emulator (faults, recorded requests), or an
emulator that scripts exact answers (`ChatScripting.script_chat`) or in-band errors."""

F = TypeVar("F", bound=Callable[..., Any])
_PIN = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")
_ATTRIBUTE = "__relaykit_check__"


class KitVersionError(Exception):
    """A suite pins a kit version the installed kit cannot honour."""


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What the kit knows about one check: its area, what it needs, and the kit minor that added it."""

    area: str
    capabilities: frozenset[Capability]
    needs: frozenset[Need]
    since: str


def check(area: str, *capabilities: Capability, needs: Iterable[Need] = (), since: str = "1.0") -> Callable[[F], F]:
    """Mark a test method as a kit check of `area` that runs only when `capabilities` are declared."""
    info = CheckInfo(area, frozenset(capabilities), frozenset(needs), since)
    parse_pin(since)

    def mark(function: F) -> F:
        setattr(function, _ATTRIBUTE, info)
        return function

    return mark


def check_info(function: Any) -> CheckInfo | None:
    """The `CheckInfo` of a check (None for a test that is not one)."""
    info = getattr(function, _ATTRIBUTE, None)
    return info if isinstance(info, CheckInfo) else None


def parse_pin(text: str) -> tuple[int, int]:
    """``"1.2"`` (or ``"1.2.3"``) as (major, minor); raises `KitVersionError` for anything else."""
    found = _PIN.match(text.strip())
    if found is None:
        raise KitVersionError(f"kit_version {text!r}: expected MAJOR.MINOR, such as '1.0'")
    return int(found.group(1)), int(found.group(2))


def check_pin(pinned: str) -> None:
    """Raise `KitVersionError` when the installed kit cannot run a suite pinned to `pinned`."""
    major, minor = parse_pin(pinned)
    installed_major, installed_minor = parse_pin(KIT_VERSION)
    if major != installed_major:
        raise KitVersionError(
            f"this suite pins conformance kit {pinned} but relaykit ships kit {KIT_VERSION}: a new major "
            f"changes checks; read the kit's changelog, then set Target(kit_version='{installed_major}.0')"
        )
    if minor > installed_minor:
        raise KitVersionError(
            f"this suite pins conformance kit {pinned} but relaykit ships kit {KIT_VERSION}: upgrade relaykit"
        )


def too_new(since: str, pinned: str) -> bool:
    """True when a check added in kit `since` is newer than the suite's pin."""
    return parse_pin(since) > parse_pin(pinned)
