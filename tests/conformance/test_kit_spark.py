"""The conformance kit over the Spark plugin: the `spark` (WebSocket) and `spark-http` kinds on the emulator."""

from __future__ import annotations

from relaykit.testing.kit import Conformance, Target
from relaykit_spark import SPARK, SPARK_HTTP
from relaykit_spark.emulator import SparkEmulator


class TestSparkConformance(Conformance):
    """The WebSocket API: signed URLs, answer frames."""

    target = Target(
        provider=SPARK,
        model="spark-max",
        emulator=SparkEmulator,
        settings=lambda emulator: emulator.config("spark"),
    )


class TestSparkHTTPConformance(Conformance):
    """The OpenAI-style HTTP API, with Spark's quirks."""

    target = Target(
        provider=SPARK_HTTP,
        model="spark-max",
        emulator=SparkEmulator,
        settings=lambda emulator: emulator.config("spark-http"),
    )
