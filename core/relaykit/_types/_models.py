"""Model listings (`GET /v1/models`, `GET /v1/models/{model}`, OpenAI-shaped).

`ModelInfo.id` is the vendor's own model id; `provider` names the configured provider that listed
it, and `address` joins the two into the `provider/model` string the other resources accept.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RequestModel, ResponseModel, WithVendorData

__all__ = ["ModelInfo", "ModelList", "ModelListRequest", "ModelRetrieveRequest"]


class ModelListRequest(RequestModel):
    """List the models of one provider (the configured `default_provider` when None)."""

    provider: str | None = Field(default=None, min_length=1)


class ModelRetrieveRequest(RequestModel):
    """Describe one model, addressed as `provider/model` or by an alias."""

    model: str = Field(min_length=1)


class ModelInfo(WithVendorData):
    """One model. Compatible servers often leave out `created` and `owned_by`."""

    id: str
    object: Literal["model"] = "model"
    created: int | None = None
    owned_by: str | None = None
    provider: str | None = None
    request_id: str | None = None
    """The vendor's request id, on a model fetched by `retrieve` (None inside a list)."""

    @property
    def address(self) -> str:
        """`provider/id`, ready to pass as `model=` to the other resources."""
        return f"{self.provider}/{self.id}" if self.provider else self.id


class ModelList(ResponseModel):
    """The models one provider offers."""

    object: Literal["list"] = "list"
    data: list[ModelInfo]
    provider: str | None = None
    request_id: str | None = None

    @property
    def ids(self) -> list[str]:
        """The vendor model ids, in the order listed."""
        return [model.id for model in self.data]
