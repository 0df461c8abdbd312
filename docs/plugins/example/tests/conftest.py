"""The conformance kit is a pytest plugin that test suites opt into."""

pytest_plugins = ["relaykit.testing.kit"]
