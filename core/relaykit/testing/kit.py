"""The conformance kit: one set of checks every relaykit provider plugin passes, offline.

Opt in from the root ``conftest.py`` of your tests (nothing loads for projects that do not)::

    pytest_plugins = ["relaykit.testing.kit"]

then declare your provider in a test module::

    from relaykit.plugin import Capability
    from relaykit.testing.kit import Conformance, Target

    from acme_plugin import ACME                    # your plugin's ProviderSpec...
    from acme_plugin.emulator import AcmeEmulator   # ...and its Emulator subclass


    class TestAcmeConformance(Conformance):
        target = Target(
            provider=ACME,                  # or "acme": the installed plugin's kind
            model="acme-large",
            emulator=AcmeEmulator,          # or cassettes="tests/cassettes/kit"
            models={Capability.EMBEDDINGS: "acme-embed"},
            kit_version="1.0",              # the kit minor this suite was written for
        )

The kit runs the checks that apply to the capabilities the provider declares (chat, streaming,
tools, vision, JSON schema, embeddings, images, audio, moderation, completions, models, errors,
bad input, sync/async parity) and skips the others, saying why. Each check's docstring says how to
fix a failure. Checks that need exact answers use the emulator's `relaykit.testing.ChatScripting`
methods; checks that inject faults need an emulator (not cassettes).

**Versioning.** `KIT_VERSION` follows semver for the checks: a patch only corrects checks; a
minor adds checks, each skipped for suites that pin an older minor (``Target.kit_version``) unless
pytest runs with ``--relaykit-kit-preview``; a major may change checks, and a suite pinned to
another major fails with a message. Upgrading relaykit therefore never turns a green suite red by
itself: pin the kit minor you pass, and raise the pin when you adopt the new checks.

This module is the pytest plugin: it adds the ``--relaykit-kit-preview`` option and a report
header naming the kit version. It imports neither vcrpy nor httpx2; they load when a suite runs.
"""

from __future__ import annotations

import pytest

from ._kit._meta import KIT_VERSION, KitVersionError
from ._kit._run import KitRun
from ._kit._suite import PREVIEW_OPTION, Conformance
from ._kit._target import Target

__all__ = ["KIT_VERSION", "Conformance", "KitRun", "KitVersionError", "Target"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--relaykit-kit-preview``."""
    parser.getgroup("relaykit").addoption(
        "--relaykit-kit-preview",
        action="store_true",
        dest=PREVIEW_OPTION,
        help="run relaykit conformance checks newer than the kit version the suite pins (Target.kit_version)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    """Name the kit version in the report header."""
    preview = " (preview: checks newer than the pins run too)" if config.getoption(PREVIEW_OPTION) else ""
    return f"relaykit conformance kit {KIT_VERSION}{preview}"
