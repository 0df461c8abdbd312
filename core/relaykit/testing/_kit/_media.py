"""Checks of the other endpoints: embeddings, images, audio, moderation, completions, models, tasks."""

from __future__ import annotations

import inspect
import math
from typing import Any

import pytest

import relaykit

from ..._provider import Capability
from .._scripting import TaskScripting
from ._inputs import IMAGE_MAGIC, PNG, wav
from ._meta import check
from ._run import KitRun

__all__ = ["AudioChecks", "CompletionChecks", "EmbeddingChecks", "ImageChecks", "ModelChecks", "TaskChecks"]

EMBEDDINGS = Capability.EMBEDDINGS
_TEXTS = ["The quick brown fox.", "敏捷的棕色狐狸。"]


class EmbeddingChecks:
    """`client.embeddings.create`."""

    @check("embeddings", EMBEDDINGS)
    def test_embeddings_give_one_vector_per_input_in_order(self, kit: KitRun) -> None:
        """Two inputs give two float vectors of one length, indexed 0 and 1.

        Fix: send every input, map the vendor's vectors to `Embedding(index, embedding)` in input
        order (sort by the vendor's index when it has one), as floats unless base64 was asked for.
        """
        answer = kit.client.embeddings.create(model=kit.address(EMBEDDINGS), input=_TEXTS)
        assert isinstance(answer, relaykit.CreateEmbeddingResponse)
        assert [item.index for item in answer.data] == [0, 1], f"indexes {[i.index for i in answer.data]}"
        vectors = answer.vectors()
        assert all(isinstance(item.embedding, list) for item in answer.data), "floats were asked for"
        assert len(vectors[0]) > 0, "an empty vector"
        assert len(vectors[0]) == len(vectors[1]), "the vectors differ in length"
        assert all(math.isfinite(x) for vector in vectors for x in vector), "a vector holds NaN or infinity"

    @check("embeddings", EMBEDDINGS, Capability.EMBEDDING_DIMENSIONS)
    def test_embedding_dimensions_set_the_vector_length(self, kit: KitRun) -> None:
        """`dimensions=8` gives vectors of length 8.

        Fix: send `dimensions` as the vendor's output-size field; leave
        `Capability.EMBEDDING_DIMENSIONS` out of the spec (or narrow it per model) when the vendor
        has none.
        """
        answer = kit.client.embeddings.create(model=kit.address(EMBEDDINGS), input=_TEXTS[:1], dimensions=8)
        assert len(answer.vectors()[0]) == 8, f"a vector of length {len(answer.vectors()[0])}; asked for 8"

    @check("embeddings", EMBEDDINGS)
    def test_base64_embeddings_decode_to_the_float_vectors(self, kit: KitRun) -> None:
        """`encoding_format="base64"` gives base64 strings that decode to the float answer's vectors.

        Fix: return `Embedding(embedding=<str>)` when base64 was asked for: the vendor's own
        base64 (little-endian float32), or the floats encoded (`Embedding.as_base64`) when the
        vendor has no such form.
        """
        floats = kit.client.embeddings.create(model=kit.address(EMBEDDINGS), input=_TEXTS[:1])
        packed = kit.client.embeddings.create(model=kit.address(EMBEDDINGS), input=_TEXTS[:1], encoding_format="base64")
        assert isinstance(packed.data[0].embedding, str), "base64 was asked for, floats came back"
        decoded, expected = packed.data[0].as_floats(), floats.data[0].as_floats()
        assert len(decoded) == len(expected), f"{len(decoded)} values in base64, {len(expected)} as floats"
        assert decoded == pytest.approx(expected, rel=1e-5, abs=1e-6), "base64 and float vectors differ"


def _check_images(answer: relaykit.ImagesResponse) -> None:
    assert answer.data, "no image in the answer"
    for item in answer.data:
        assert item.url or item.b64_json, "an image with neither url nor b64_json"
        if item.b64_json:
            assert item.to_bytes().startswith(IMAGE_MAGIC), "b64_json does not decode to PNG, JPEG, WEBP or GIF"


class ImageChecks:
    """`client.images`: generate, edit, create_variation."""

    @check("images", Capability.IMAGE_GENERATE)
    def test_image_generation_returns_an_image(self, kit: KitRun) -> None:
        """A generation returns at least one image, as a URL or as base64 of a real image file.

        Fix: map the vendor's images to `ImageData(url=...)` or `ImageData(b64_json=...)`; an
        asynchronous vendor must wait for the job in its flow (`Wait`) before returning.
        """
        answer = kit.client.images.generate(
            model=kit.address(Capability.IMAGE_GENERATE), prompt="A red square on white.", n=1
        )
        _check_images(answer)

    @check("images", Capability.IMAGE_EDIT)
    def test_image_edit_returns_an_image(self, kit: KitRun) -> None:
        """An edit of a PNG upload returns at least one image.

        Fix: send the upload as the vendor wants it (multipart `FilePart`s, or base64 in JSON).
        """
        answer = kit.client.images.edit(
            model=kit.address(Capability.IMAGE_EDIT), image=("pixel.png", PNG, "image/png"), prompt="Make it blue."
        )
        _check_images(answer)

    @check("images", Capability.IMAGE_VARIATION)
    def test_image_variation_returns_an_image(self, kit: KitRun) -> None:
        """A variation of a PNG upload returns at least one image.

        Fix: send the upload as the vendor wants it, and map the answer as for generations.
        """
        answer = kit.client.images.create_variation(
            model=kit.address(Capability.IMAGE_VARIATION), image=("pixel.png", PNG, "image/png")
        )
        _check_images(answer)


class AudioChecks:
    """`client.audio`: speech, transcriptions, translations; and `client.moderations`."""

    @check("audio", Capability.SPEECH)
    def test_speech_returns_audio_bytes(self, kit: KitRun) -> None:
        """Speech returns non-empty bytes with an audio content type.

        Fix: return `SpeechResponse(content=<the body's bytes>, content_type=<audio/...>)`,
        replacing a generic ``application/octet-stream`` with the requested format's type.
        """
        answer = kit.client.audio.speech.create(
            model=kit.address(Capability.SPEECH), input="Hello, 你好.", voice="alloy", response_format="wav"
        )
        assert answer.content, "no audio bytes"
        assert answer.content_type.startswith("audio/"), f"content type {answer.content_type!r}"

    @check("audio", Capability.TRANSCRIPTION)
    def test_transcription_returns_text(self, kit: KitRun) -> None:
        """A transcription of a WAV upload returns a Transcription with text.

        Fix: upload the file as the vendor wants it and map the answer to `Transcription(text=...)`.
        """
        answer = kit.client.audio.transcriptions.create(
            model=kit.address(Capability.TRANSCRIPTION), file=("hello.wav", wav(), "audio/wav")
        )
        assert isinstance(answer, relaykit.Transcription)
        assert isinstance(answer.text, str), "no text"

    @check("audio", Capability.TRANSLATION)
    def test_translation_returns_text(self, kit: KitRun) -> None:
        """A translation of a WAV upload returns a Translation with text.

        Fix: as for transcriptions, mapped to `Translation(text=...)`.
        """
        answer = kit.client.audio.translations.create(
            model=kit.address(Capability.TRANSLATION), file=("hello.wav", wav(), "audio/wav")
        )
        assert isinstance(answer, relaykit.Translation)
        assert isinstance(answer.text, str), "no text"

    @check("moderation", Capability.MODERATION)
    def test_moderation_gives_one_result_per_input(self, kit: KitRun) -> None:
        """Two inputs give two results; the harmless one is not flagged.

        Fix: map one `ModerationResult(flagged, categories, category_scores)` per input, in order.
        """
        answer = kit.client.moderations.create(
            model=kit.address(Capability.MODERATION), input=["I like sunny days.", "I will attack you."]
        )
        assert len(answer.results) == 2, f"{len(answer.results)} results for 2 inputs"
        assert answer.results[0].flagged is False, "a harmless input is flagged"


class CompletionChecks:
    """`client.completions` (legacy text completions) and `client.models`."""

    @check("completions", Capability.COMPLETIONS)
    def test_completion_returns_text(self, kit: KitRun) -> None:
        """A legacy completion returns a choice with text and a finish reason.

        Fix: map the vendor's completion to `Completion(choices=[CompletionChoice(text, ...)])`.
        """
        answer = kit.client.completions.create(
            model=kit.address(Capability.COMPLETIONS), prompt="Once upon a time", max_tokens=16
        )
        assert answer.choices, "no choice"
        assert isinstance(answer.choices[0].text, str), "no text"
        assert answer.choices[0].finish_reason in {"stop", "length"}, f"finish {answer.choices[0].finish_reason!r}"


class ModelChecks:
    """`client.models`."""

    @check("models", Capability.MODELS)
    def test_models_list_and_retrieve_agree(self, kit: KitRun) -> None:
        """The model listing is not empty, and retrieving its first model returns that model.

        Fix: map the listing to `ModelList(data=[ModelInfo(id=...)])` with the vendor's ids (no
        provider prefix), and `models.retrieve` to the same `ModelInfo`.
        """
        listing = kit.client.models.list(kit.name)
        assert listing.data, "the model listing is empty"
        first = listing.data[0].id
        assert first, "a model without an id"
        assert not first.startswith(f"{kit.name}/"), f"model id {first!r} should not hold the provider name"
        assert kit.client.models.retrieve(f"{kit.name}/{first}").id == first, "retrieve disagrees with list"


class TaskChecks:
    """Long-running jobs (`relaykit.Task`): submit, poll, resume from JSON, a job the vendor forgot.

    They run when the suite's `Target.task` says how to start a job (kit 1.1 and later).
    """

    @check("tasks", since="1.1")
    def test_task_runs_to_a_result_with_progress(self, kit: KitRun) -> None:
        """A submitted job is a Task that `client.tasks.wait` follows to `succeeded`, with a result.

        Fix: the submit flow returns `Task(status="queued"|"running", id=<vendor job id>, ...)` with
        everything a later poll needs in `vendor_data`; the provider's TASK_GET flow maps the
        vendor's statuses onto queued/running/succeeded/failed/cancelled, reports `progress` in
        0..1 when the vendor says, and puts the images or video in `Task.result` when done.
        """
        task = _submit(kit)
        assert isinstance(task, relaykit.Task), f"Target.task returned {type(task).__name__}, not a Task"
        assert task.provider == kit.name, f"the Task names provider {task.provider!r}, not {kit.name!r}"
        seen: list[float] = []

        def on_progress(snapshot: relaykit.Task) -> None:
            if snapshot.progress is not None:
                seen.append(snapshot.progress)

        done = kit.client.tasks.wait(task, timeout=60, on_progress=on_progress)
        assert done.status == "succeeded", f"the job ended {done.status}: {done.error}"
        assert done.result is not None, "a succeeded Task without a result"
        assert done.result.images or done.result.video, "a succeeded Task with no image or video"
        assert all(0.0 <= value <= 1.0 for value in seen), f"progress outside 0..1: {seen}"
        assert seen == sorted(seen), f"progress went backwards: {seen}"

    @check("tasks", since="1.1")
    def test_task_resumes_from_json_in_another_client(self, kit: KitRun) -> None:
        """A Task saved as JSON is waited on to the end by a brand-new client.

        Fix: keep in `Task.vendor_data` (JSON-serializable) everything the TASK_GET flow needs, and
        never rely on state held by the client or the flow that submitted the job.
        """
        saved = _submit(kit).to_json()
        with kit.new_client() as client:
            done = client.tasks.wait(relaykit.Task.from_json(saved), timeout=60)
        assert done.status == "succeeded", f"the resumed job ended {done.status}: {done.error}"

    @check("tasks", needs=("emulator",), since="1.1")
    def test_a_task_the_vendor_forgot_is_a_typed_failure(self, kit: KitRun) -> None:
        """A job the vendor no longer knows raises `TaskNotFoundError` instead of polling forever.

        Fix: when the vendor answers "unknown task" (a 404, an empty fetch, a "Task not found"
        status), raise `NotFoundError` from the TASK_GET flow; core turns it into
        `TaskNotFoundError`. The emulator must implement `relaykit.testing.TaskScripting`.
        """
        emulator: Any = kit.emulator
        if not isinstance(emulator, TaskScripting):
            pytest.skip(f"{type(emulator).__name__} cannot forget a job (relaykit.testing.TaskScripting)")
        task = _submit(kit)
        emulator.forget_task(task.id)
        with pytest.raises(relaykit.TaskNotFoundError):
            kit.client.tasks.wait(task, timeout=30)

    @check("tasks", since="1.1")
    def test_async_tasks_wait_like_sync(self, kit: KitRun) -> None:
        """`AsyncClient.tasks.wait` follows a job submitted by the async client to the same end.

        Fix: nothing async-specific lives in a plugin; if this fails alone, the submit or TASK_GET
        flow keeps state between calls that the async client does not share.
        """
        submit = kit.target.task
        assert submit is not None

        async def scenario(client: relaykit.AsyncClient) -> relaykit.Task:
            started = submit(client, kit.name)
            task = await started if inspect.isawaitable(started) else started
            return await client.tasks.wait(task, timeout=60)

        assert kit.run_async(scenario).status == "succeeded"


def _submit(kit: KitRun) -> relaykit.Task:
    if kit.target.task is None:
        pytest.skip(f"{kit.name}'s suite declares no way to start a job (Target.task)")
    task: relaykit.Task = kit.target.task(kit.client, kit.name)
    return task
