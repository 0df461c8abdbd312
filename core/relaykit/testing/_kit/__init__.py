"""The conformance kit's implementation; the public face is `relaykit.testing.kit`."""
