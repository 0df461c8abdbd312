"""The version table: URL path <-> domain, the names each version goes by, and configured additions."""

from __future__ import annotations

import pytest

import relaykit
from relaykit.plugin import Capability
from relaykit_spark import SPARK, SPARK_HTTP, SparkEndpoint
from relaykit_spark._domains import ENDPOINTS, endpoint_url, http_model, resolve

BASE = "wss://spark-api.xf-yun.com"


@pytest.mark.parametrize(
    ("model", "path", "domain"),
    [
        ("lite", "/v1.1/chat", "lite"),
        ("generalv2", "/v2.1/chat", "generalv2"),
        ("generalv3", "/v3.1/chat", "generalv3"),
        ("pro-128k", "/chat/pro-128k", "pro-128k"),
        ("generalv3.5", "/v3.5/chat", "generalv3.5"),
        ("max-32k", "/chat/max-32k", "max-32k"),
        ("4.0Ultra", "/v4.0/chat", "4.0Ultra"),
    ],
)
def test_each_domain_goes_to_its_own_url_path(model: str, path: str, domain: str) -> None:
    """The URL path and the domain always match (a mismatch is Spark's 10003)."""
    endpoint = resolve(model, {})
    assert endpoint.domain == domain
    assert endpoint_url(BASE, endpoint) == BASE + path


@pytest.mark.parametrize(
    ("model", "domain"),
    [
        ("spark-v1.5", "lite"),
        ("spark-v2.0", "generalv2"),
        ("spark-v3.0", "generalv3"),
        ("spark-v3.5", "generalv3.5"),
        ("spark-v4.0", "4.0Ultra"),
        ("spark-lite", "lite"),
        ("spark-pro", "generalv3"),
        ("spark-max", "generalv3.5"),
        ("Spark-Max-32K", "max-32k"),
        ("spark-4.0-ultra", "4.0Ultra"),
        ("SparkDesk-v1.1", "lite"),
        ("SparkDesk-v3.5", "generalv3.5"),
        ("general", "lite"),
        ("4.0ultra", "4.0Ultra"),
    ],
)
def test_historic_product_and_relay_names_resolve_to_the_right_version(model: str, domain: str) -> None:
    """aigc2d's spark-v1.5/v2.0/v3.0, product names and one-api's SparkDesk-vX.Y all resolve."""
    assert resolve(model, {}).domain == domain


def test_the_retired_general_domain_is_sent_as_lite() -> None:
    """V1.5's old domain `general` now fails with 10003; the name resolves to `lite` on /v1.1/chat."""
    endpoint = resolve("general", {})
    assert (endpoint.url, endpoint.domain) == ("/v1.1/chat", "lite")


def test_an_unknown_model_is_an_invalid_request_naming_model() -> None:
    """A name in neither table is refused before anything is sent."""
    with pytest.raises(relaykit.InvalidRequestError, match="unknown Spark model 'gpt-4o'") as caught:
        resolve("gpt-4o", {})
    assert caught.value.field == "model"


def test_configured_models_add_and_override_versions() -> None:
    """The models setting adds a version (x1) and overrides a built-in one by its domain."""
    x1 = SparkEndpoint(url="/v1/x1", domain="x1", functions=True)
    lite = SparkEndpoint(url="/v1.1/chat", domain="lite", max_tokens=2048)
    overrides = {"x1": x1, "lite": lite}
    assert resolve("X1", overrides) is x1
    assert resolve("spark-v1.5", overrides) is lite


def test_an_absolute_endpoint_url_is_used_as_is() -> None:
    """The sci-tech literature model lives on its own host."""
    endpoint = resolve("kjwx", {})
    assert endpoint_url(BASE, endpoint) == "wss://spark-openapi-n.cn-huabei-1.xf-yun.com/v1.1/chat_kjwx"


def test_http_model_names_are_the_domains_and_unknown_names_pass_through() -> None:
    """The HTTP API takes the domain strings; a name it may add later goes through unchanged."""
    assert http_model("spark-max") == "generalv3.5"
    assert http_model("spark-v3.0") == "generalv3"
    assert http_model("x1") == "x1"


def test_function_calling_capability_follows_the_version() -> None:
    """Lite and Pro-128K cannot take tools; Max and Ultra can; HTTP only Max and Ultra."""
    tools = Capability.TOOLS
    assert tools not in SPARK.capabilities_for("lite")
    assert tools not in SPARK.capabilities_for("spark-pro-128k")
    assert tools in SPARK.capabilities_for("spark-max")
    assert tools in SPARK.capabilities_for("generalv3")
    assert tools not in SPARK_HTTP.capabilities_for("generalv3")
    assert tools in SPARK_HTTP.capabilities_for("4.0Ultra")
    assert tools in SPARK.capabilities_for("some-configured-model")


def test_the_table_never_pairs_a_domain_with_another_domains_path() -> None:
    """Every built-in path serves exactly one domain."""
    paths = [endpoint.url for endpoint in ENDPOINTS.values()]
    assert len(paths) == len(set(paths))


def test_the_built_in_table_passes_the_models_own_validation() -> None:
    """The table is built without validation (cold start); every entry is still a valid SparkEndpoint."""
    from relaykit_spark._domains import SparkEndpoint

    for endpoint in ENDPOINTS.values():
        assert SparkEndpoint.model_validate(endpoint.model_dump()) == endpoint
