"""`Conformance`: every check, and the fixtures that bring the target up once per test class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from ._chat import ChatChecks, StreamChecks
from ._errors import BadInputChecks, ErrorChecks
from ._media import AudioChecks, CompletionChecks, EmbeddingChecks, ImageChecks, ModelChecks, TaskChecks
from ._meta import KitVersionError, check_info
from ._parity import ParityChecks
from ._run import KitRun
from ._spec import SpecChecks
from ._target import Target
from ._tools import JSONSchemaChecks, ToolChecks, VisionChecks

__all__ = ["PREVIEW_OPTION", "Conformance"]

PREVIEW_OPTION = "relaykit_kit_preview"
"""The pytest option (``--relaykit-kit-preview``) that runs checks newer than a suite's pin."""


class Conformance(
    SpecChecks,
    ChatChecks,
    StreamChecks,
    ToolChecks,
    VisionChecks,
    JSONSchemaChecks,
    EmbeddingChecks,
    ImageChecks,
    AudioChecks,
    CompletionChecks,
    ModelChecks,
    TaskChecks,
    ErrorChecks,
    BadInputChecks,
    ParityChecks,
):
    """The conformance checks; subclass it in a test module (as ``Test...``) and set `target`.

    ::

        class TestAcmeConformance(Conformance):
            target = Target(provider=ACME, model="acme-large", emulator=AcmeEmulator)

    The target comes up once per class (its emulator started, its clients built); each check
    starts from a reset emulator and skips, with the reason, when it does not apply.
    """

    target: ClassVar[Target]

    @pytest.fixture(scope="class")
    @classmethod
    def relaykit_kit_run(cls, request: pytest.FixtureRequest) -> Iterator[KitRun]:
        """The target, brought up for the whole class."""
        target = getattr(cls, "target", None)
        if not isinstance(target, Target):
            pytest.fail(f"{cls.__name__} needs a class attribute target = Target(...)")
        preview = bool(request.config.getoption(PREVIEW_OPTION, default=False))
        try:
            run = KitRun(target, preview=preview)
        except (KitVersionError, LookupError) as exc:
            pytest.fail(str(exc))
        with run:
            yield run

    @pytest.fixture
    def kit(self, relaykit_kit_run: KitRun, request: pytest.FixtureRequest) -> Iterator[KitRun]:
        """The target for one check: skipped when the check does not apply, else reset (and its cassette)."""
        reason = relaykit_kit_run.skip_reason(check_info(request.function))
        if reason is not None:
            pytest.skip(reason)
        known = relaykit_kit_run.target.expected_failures
        reason = known.get(request.node.name, known.get(request.function.__name__))
        if reason is not None:
            request.node.add_marker(pytest.mark.xfail(reason=reason, strict=True))
        relaykit_kit_run.reset()
        with relaykit_kit_run.cassette(request.node.name):
            yield relaykit_kit_run
