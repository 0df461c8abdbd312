"""Exit codes and one-line error reports of the command line.

| code | meaning |
|------|---------|
| 0    | ok |
| 1    | any other error |
| 2    | usage: a wrong argument or option, an invalid request, a model that cannot do it |
| 3    | configuration: the TOML, a provider section, a missing key variable, a plugin |
| 4    | authentication or permission refused by the vendor |
| 5    | rate limit or quota |
| 6    | the vendor failed or answered badly (status errors, malformed answers, failed tasks) |
| 7    | network: connection, timeout, a broken stream |
| 130  | interrupted (Ctrl-C) |
"""

from __future__ import annotations

from .._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    PermissionDeniedError,
    PluginError,
    RateLimitError,
    UnsupportedCapabilityError,
)

__all__ = [
    "EXIT_AUTH",
    "EXIT_CONFIG",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_RATE_LIMIT",
    "EXIT_USAGE",
    "EXIT_VENDOR",
    "classify",
]

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_AUTH = 4
EXIT_RATE_LIMIT = 5
EXIT_VENDOR = 6
EXIT_NETWORK = 7
EXIT_INTERRUPTED = 130


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code for `exc`, and a hint saying how to fix it ('' when there is none to give)."""
    if isinstance(exc, InvalidRequestError | UnsupportedCapabilityError):
        return EXIT_USAGE, "see the command's --help, or `relaykit providers` for what each provider can do"
    if isinstance(exc, ConfigurationError | PluginError):
        return EXIT_CONFIG, "run `relaykit config check` to see every configuration problem"
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH, "check the provider's API key variable (`relaykit providers` shows which)"
    if isinstance(exc, RateLimitError):
        wait = f"retry in {exc.retry_after:g}s" if exc.retry_after else "retry later"
        return EXIT_RATE_LIMIT, f"{wait}, or route the model over several deployments (docs/routing.md)"
    if isinstance(exc, APIConnectionError):
        return EXIT_NETWORK, "check the network and the provider's base_url"
    if isinstance(exc, APIError):
        return EXIT_VENDOR, "the vendor failed; retry, or use --debug for the details"
    return EXIT_ERROR, ""
