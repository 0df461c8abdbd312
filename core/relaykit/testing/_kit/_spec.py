"""Checks of the `ProviderSpec` itself: capabilities, operations, flows."""

from __future__ import annotations

from ..._provider import Capability, Operation
from ._meta import check
from ._run import KitRun

__all__ = ["OPERATIONS", "SpecChecks"]

OPERATIONS: dict[Capability, tuple[Operation, ...]] = {
    Capability.CHAT: (Operation.CHAT,),
    Capability.CHAT_STREAM: (Operation.CHAT,),
    Capability.TOOLS: (Operation.CHAT,),
    Capability.VISION: (Operation.CHAT,),
    Capability.AUDIO_INPUT: (Operation.CHAT,),
    Capability.JSON_OBJECT: (Operation.CHAT,),
    Capability.JSON_SCHEMA: (Operation.CHAT,),
    Capability.COMPLETIONS: (Operation.COMPLETION,),
    Capability.EMBEDDINGS: (Operation.EMBEDDING,),
    Capability.EMBEDDING_DIMENSIONS: (Operation.EMBEDDING,),
    Capability.IMAGE_GENERATE: (Operation.IMAGE_GENERATE,),
    Capability.IMAGE_EDIT: (Operation.IMAGE_EDIT,),
    Capability.IMAGE_VARIATION: (Operation.IMAGE_VARIATION,),
    Capability.SPEECH: (Operation.SPEECH,),
    Capability.TRANSCRIPTION: (Operation.TRANSCRIPTION,),
    Capability.TRANSLATION: (Operation.TRANSLATION,),
    Capability.MODERATION: (Operation.MODERATION,),
    Capability.MODELS: (Operation.MODEL_LIST, Operation.MODEL_RETRIEVE),
}
"""The operations a provider needs for each capability it declares."""


class SpecChecks:
    """What the plugin registers."""

    @check("spec")
    def test_every_declared_capability_has_its_operations(self, kit: KitRun) -> None:
        """Each capability in the spec comes with the operations that serve it.

        Fix: add the missing `Operation` to `ProviderSpec.operations` (``"module:function"``), or
        drop the capability from `ProviderSpec.capabilities`.
        """
        missing = [
            f"{capability} needs {operation}"
            for capability in sorted(kit.spec.capabilities)
            for operation in OPERATIONS.get(capability, ())
            if operation not in kit.spec.operations
        ]
        assert not missing, f"{kit.name}: {'; '.join(missing)}"

    @check("spec")
    def test_every_operation_imports_a_callable_flow(self, kit: KitRun) -> None:
        """Each ``"module:function"`` of the spec's operations imports, and names a callable.

        Fix: correct the dotted path in `ProviderSpec.operations`; keep the flow module importable
        without optional dependencies.
        """
        for operation, path in kit.spec.operations.items():
            try:
                flow = kit.spec.load(operation)
            except (ImportError, AttributeError) as exc:
                raise AssertionError(f"{operation} -> {path!r} does not import: {exc}") from exc
            assert callable(flow), f"{operation} -> {path!r} is not callable"

    @check("spec")
    def test_checked_capabilities_are_offered_by_the_spec(self, kit: KitRun) -> None:
        """The capabilities the suite checks are offered by the spec for the models it uses.

        Fix: remove the capability from `Target.capabilities`, name another model for it in
        `Target.models`, or add it to the spec (and its `model_capabilities`).
        """
        extra = sorted(c for c in kit.declared if c not in kit.spec.capabilities_for(kit.target.model_for(c)))
        assert not extra, f"checked but not offered by {kit.name}: {', '.join(extra)}"
