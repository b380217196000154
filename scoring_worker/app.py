"""HTTP layer: a small Starlette app served by uvicorn.

- Bearer token on every /v1 route, compared in constant time.
- The model loads in a background thread; until it is ready /healthz and the
  scoring routes answer 503, so a load balancer only sends traffic to replicas
  that can score.
- Bodies over the limit are refused with 413 while they are being read.
- Idempotency: a bounded LRU keyed by request_id remembers recent results;
  the same request_id with the same body gets the same result without scoring
  again (a different body is scored afresh and replaces the entry).
- Answer text is never logged: log lines carry request ids, counts and timings.
- POST /v1/transcribe (transcribe.py): raw audio bytes in, transcript and
  delivery figures out, behind the same token; its model is checked at start
  beside the scoring model and loaded on the first transcription.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import __version__
from .schema import InvalidRequest, openapi, parse_batch, parse_score_request
from .transcribe import BadAudio, Transcriber, TranscriptionUnavailable

log = logging.getLogger("scoring_worker")

DEFAULT_MAX_BODY = 8 * 1024 * 1024       # a full batch of 256 long answers fits
DEFAULT_IDEMPOTENCY_ENTRIES = 2048
# Audio only (the portal strips the video track): 20 min of Opus at 128 kbit/s is ~19 MB.
DEFAULT_MAX_AUDIO = 32 * 1024 * 1024
_REQUEST_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers=headers)


class _TooLarge(Exception):
    pass


class IdempotencyCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, tuple[str, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, request_id: str, digest: str) -> dict | None:
        with self._lock:
            hit = self._data.get(request_id)
            if hit is None or hit[0] != digest:
                return None
            self._data.move_to_end(request_id)
            return hit[1]

    def put(self, request_id: str, digest: str, result: dict) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[request_id] = (digest, result)
            self._data.move_to_end(request_id)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def body_digest(item: Any) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


class Worker:
    """Holds the model once loaded; scoring entry points used by the routes."""

    def __init__(self, threads: int = 2, idempotency_entries: int = DEFAULT_IDEMPOTENCY_ENTRIES) -> None:
        self.threads = max(1, threads)
        self.scorer = None
        self.model_version = "loading"
        self.load_error: str | None = None
        self.loaded_at: float | None = None
        self.cache = IdempotencyCache(idempotency_entries)
        self._batch_pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="batch")

    def load(self) -> None:
        t0 = time.perf_counter()
        try:
            from .encoder import Encoder
            from .scorer import Scorer
            from .text import load_jieba

            # jieba (pure Python, ~1 s) and the encoder weights load side by side
            jieba_thread = threading.Thread(target=load_jieba, name="load-jieba")
            jieba_thread.start()
            scorer = Scorer(Encoder(threads=self.threads))
            jieba_thread.join()
            load_jieba()  # re-raise here if the thread failed
            scorer.warm_up()
            self.model_version = scorer.model_version
            self.scorer = scorer
            self.loaded_at = time.time()
            log.info("model %s ready in %.2f s", self.model_version, time.perf_counter() - t0)
        except Exception as exc:  # pragma: no cover - broken installation
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.exception("model failed to load")

    @property
    def ready(self) -> bool:
        return self.scorer is not None

    def score_one(self, raw: dict) -> dict:
        req = parse_score_request(raw)
        digest = body_digest(raw)
        cached = self.cache.get(req.request_id, digest)
        if cached is not None:
            return cached
        result = self.scorer.score(req, parallel=True)
        self.cache.put(req.request_id, digest, result)
        return result

    def score_batch(self, raw: dict) -> list[dict]:
        reqs = parse_batch(raw)
        digests = [body_digest(item) for item in raw["items"]]
        results: list[dict | None] = [self.cache.get(r.request_id, d) for r, d in zip(reqs, digests)]
        todo = [i for i, r in enumerate(results) if r is None]
        # Three phases: text analysis (pure Python) for every item, then the
        # encoder (BLAS, releases the GIL) on the pool, then the small vector
        # step. Overlapping the first two was slower: a Python-bound thread
        # makes the encoder threads queue for the GIL between numpy calls.
        # Each item is encoded on one thread and cut into the same micro-batches
        # as a single request, so batch and single results are identical.
        scorer = self.scorer
        preps = [scorer.prepare(reqs[i]) for i in todo]
        encoded = list(self._batch_pool.map(scorer.encode_prepared, preps))
        for i, prep, enc in zip(todo, preps, encoded):
            results[i] = scorer.finish(prep, enc)
            self.cache.put(reqs[i].request_id, digests[i], results[i])
        return results  # type: ignore[return-value]


def create_app(token: str, worker: Worker | None = None, max_body: int = DEFAULT_MAX_BODY,
               load_in_background: bool = True, transcriber: Transcriber | None = None,
               max_audio: int = DEFAULT_MAX_AUDIO) -> Starlette:
    worker = worker or Worker()
    transcriber = transcriber or Transcriber(threads=worker.threads)
    expected = token.encode()

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        supplied = value.strip().encode() if scheme.lower() == "bearer" else b""
        # compare_digest runs in time independent of where the inputs differ
        return hmac.compare_digest(supplied, expected) and bool(supplied)

    async def read_body(request: Request, limit: int) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                if int(length) > limit:
                    raise _TooLarge()
            except ValueError:
                raise InvalidRequest("invalid_request", "Content-Length is not a number") from None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    async def read_json(request: Request) -> Any:
        body = await read_body(request, max_body)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidRequest("invalid_json", f"body is not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidRequest("invalid_json", "body is nested too deeply") from None

    async def handle(request: Request, batch: bool) -> Response:
        t0 = time.perf_counter()
        if not authorised(request):
            return error(401, "unauthorized", "missing or wrong bearer token",
                         {"WWW-Authenticate": "Bearer"})
        if not worker.ready:
            return error(503, "not_ready", "the scoring model is still loading",
                         {"Retry-After": "1"})
        try:
            raw = await read_json(request)
            if batch:
                results = await run_in_threadpool(worker.score_batch, raw)
                payload: dict = {"results": results}
                rid, n = "batch", len(results)
            else:
                payload = await run_in_threadpool(worker.score_one, raw)
                rid, n = payload["request_id"], 1
        except _TooLarge:
            return error(413, "payload_too_large", f"body is larger than {max_body} bytes")
        except InvalidRequest as exc:
            log.info("%s 400 %s", request.url.path, exc.code)
            return error(400, exc.code, exc.message)
        log.info("%s 200 request_id=%s items=%d %.1f ms", request.url.path, rid, n,
                 (time.perf_counter() - t0) * 1000)
        return JSONResponse(payload)

    async def score(request: Request) -> Response:
        return await handle(request, batch=False)

    async def transcribe(request: Request) -> Response:
        """Body: the recording (WebM/Opus, Ogg, WAV…); query: language=zh|en, request_id."""
        t0 = time.perf_counter()
        if not authorised(request):
            return error(401, "unauthorized", "missing or wrong bearer token",
                         {"WWW-Authenticate": "Bearer"})
        language = request.query_params.get("language", "")
        rid = request.query_params.get("request_id", "")
        if language not in ("zh", "en"):
            return error(400, "unknown_language", "query parameter language must be 'zh' or 'en'")
        if rid and not _REQUEST_ID.fullmatch(rid):
            return error(400, "invalid_request", "request_id must be 1-64 letters, digits or _.:-")
        if transcriber.status == "unavailable":
            return error(503, "transcription_unavailable",
                         "transcription is off on this worker: its model failed the check "
                         "(see the worker log)", {"Retry-After": "60"})
        if transcriber.status == "checking":
            return error(503, "not_ready", "the transcription model is still being checked",
                         {"Retry-After": "1"})
        try:
            media = await read_body(request, max_audio)
        except _TooLarge:
            return error(413, "payload_too_large", f"audio is larger than {max_audio} bytes")
        except InvalidRequest as exc:
            return error(400, exc.code, exc.message)
        # One transcription at a time: it already uses every compute thread, and a queue
        # of waiting requests would hold their audio in memory.
        if not transcriber.try_acquire():
            return error(503, "busy", "another transcription is running", {"Retry-After": "5"})
        try:
            result = await run_in_threadpool(transcriber.transcribe, media, language)
        except BadAudio as exc:
            log.info("%s 400 %s request_id=%s", request.url.path, exc.code, rid)
            return error(400, exc.code, exc.message)
        except TranscriptionUnavailable:
            return error(503, "transcription_unavailable",
                         "transcription is off on this worker: its model failed the check "
                         "(see the worker log)", {"Retry-After": "60"})
        finally:
            transcriber.release()
        result = {"request_id": rid, **result}
        log.info("%s 200 request_id=%s audio=%.1f s %.1f ms", request.url.path, rid,
                 result["delivery"]["duration_s"], (time.perf_counter() - t0) * 1000)
        return JSONResponse(result)

    async def score_batch(request: Request) -> Response:
        return await handle(request, batch=True)

    async def healthz(request: Request) -> Response:
        speech = {"status": transcriber.status, "model_version": transcriber.model_version}
        if worker.ready:
            return JSONResponse({"status": "ok", "model_version": worker.model_version,
                                 "transcription": speech})
        status = "failed" if worker.load_error else "loading"
        return JSONResponse({"status": status, "model_version": worker.model_version,
                             "transcription": speech,
                             "error": {"code": "not_ready",
                                       "message": worker.load_error or "the scoring model is still loading"}},
                            status_code=503, headers={"Retry-After": "1"})

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi(worker.model_version, __version__))

    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("%s 500 %s", request.url.path, type(exc).__name__)
        return error(500, "internal", "internal error")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if transcriber.status == "checking":
            # beside the scoring model: hashing 145 MB must not delay scoring
            threading.Thread(target=transcriber.check, name="check-speech-model", daemon=True).start()
        if not worker.ready:
            if load_in_background:
                threading.Thread(target=_load_or_exit, args=(worker,), name="load-model",
                                 daemon=True).start()
            else:
                worker.load()
        yield

    app = Starlette(
        routes=[
            Route("/v1/score", score, methods=["POST"]),
            Route("/v1/score:batch", score_batch, methods=["POST"]),
            Route("/v1/transcribe", transcribe, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/openapi.json", openapi_json, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.worker = worker
    app.state.transcriber = transcriber
    return app


def _load_or_exit(worker: Worker) -> None:
    worker.load()
    if not worker.ready:
        # a replica that can never score should die so its supervisor restarts it
        logging.getLogger("scoring_worker").error("exiting: %s", worker.load_error)
        os._exit(3)
