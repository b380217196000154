"""Request validation for the v1 API and its OpenAPI description.

Hand-written rather than pydantic: the worker must start fast, and every
error message has to name the offending field in the caller's terms
("items[2].competencies[0].anchors").
"""

from __future__ import annotations

import math
from typing import Any

from .models import Competency, ScoreRequest

MAX_ANSWER_CHARS = 20_000
MAX_QUESTION_CHARS = 4_000
MAX_BATCH_ITEMS = 256
MAX_COMPETENCIES = 32
MAX_KEYWORDS = 64
MAX_TEXT_CHARS = 4_000       # name, description, anchor, keyword
LANGUAGES = ("zh", "en", "auto")
ANCHOR_LEVELS = ("1", "3", "5")
DELIVERY_FIELDS = ("duration_s", "pause_count", "pause_total_s")


class InvalidRequest(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _str(obj: dict, key: str, path: str, *, required: bool = True, max_len: int = MAX_TEXT_CHARS,
         default: str = "") -> str:
    if key not in obj or obj[key] is None:
        if required:
            raise InvalidRequest("invalid_request", f"{path}{key} is required")
        return default
    value = obj[key]
    if not isinstance(value, str):
        raise InvalidRequest("invalid_request", f"{path}{key} must be a string")
    if len(value) > max_len:
        raise InvalidRequest("invalid_request", f"{path}{key} is longer than {max_len} characters")
    return value


def _number(value: Any, where: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidRequest("invalid_request", f"{where} must be a finite number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InvalidRequest("invalid_request", f"{where} must be between {lo} and {hi}")
    return float(value)


def parse_competency(obj: Any, path: str) -> Competency:
    if not isinstance(obj, dict):
        raise InvalidRequest("invalid_request", f"{path} must be an object")
    key = _str(obj, "key", path + ".", max_len=200).strip()
    if not key:
        raise InvalidRequest("invalid_request", f"{path}.key must not be empty")
    name = _str(obj, "name", path + ".", required=False, max_len=200).strip() or key
    description = _str(obj, "description", path + ".", required=False).strip()
    keywords_raw = obj.get("keywords", [])
    if keywords_raw is None:
        keywords_raw = []
    if not isinstance(keywords_raw, list) or not all(isinstance(k, str) for k in keywords_raw):
        raise InvalidRequest("invalid_request", f"{path}.keywords must be a list of strings")
    if len(keywords_raw) > MAX_KEYWORDS:
        raise InvalidRequest("invalid_request", f"{path}.keywords has more than {MAX_KEYWORDS} entries")
    keywords = tuple(k.strip() for k in keywords_raw if k.strip() and len(k) <= 200)
    weight = _number(obj.get("weight", 1.0), f"{path}.weight", 0.0, 1000.0)
    required = obj.get("required_level")
    required_level = None if required is None else _number(required, f"{path}.required_level", 0, 100)
    anchors = obj.get("anchors")
    if not isinstance(anchors, dict):
        raise InvalidRequest("missing_anchors",
                             f"{path}.anchors is required: an object with levels 1, 3 and 5")
    missing = [lvl for lvl in ANCHOR_LEVELS
               if not isinstance(anchors.get(lvl), str) or not anchors[lvl].strip()]
    if missing:
        raise InvalidRequest("missing_anchors",
                             f"{path}.anchors must describe levels 1, 3 and 5; missing: "
                             + ", ".join(missing))
    for lvl, text in anchors.items():
        if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
            raise InvalidRequest("invalid_request",
                                 f"{path}.anchors.{lvl} is longer than {MAX_TEXT_CHARS} characters")
    return Competency(key=key, name=name, description=description, keywords=keywords,
                      weight=weight, required_level=required_level,
                      anchors={lvl: anchors[lvl].strip() for lvl in ANCHOR_LEVELS})


def parse_score_request(obj: Any, path: str = "") -> ScoreRequest:
    """Validate one scoring request; ``path`` prefixes field names (batch items)."""
    where = path + "." if path else ""
    if not isinstance(obj, dict):
        raise InvalidRequest("invalid_request", f"{path or 'body'} must be a JSON object")
    request_id = _str(obj, "request_id", where, max_len=200).strip()
    if not request_id:
        raise InvalidRequest("invalid_request", f"{where}request_id must not be empty")
    language = obj.get("language", "auto")
    if language not in LANGUAGES:
        raise InvalidRequest("unknown_language",
                             f"{where}language must be one of zh, en, auto (got {language!r:.40})")
    question = _str(obj, "question", where, max_len=MAX_QUESTION_CHARS).strip()
    if not question:
        raise InvalidRequest("invalid_request", f"{where}question must not be empty")
    if "answer" not in obj or obj["answer"] is None:
        raise InvalidRequest("empty_answer", f"{where}answer is required")
    answer = obj["answer"]
    if not isinstance(answer, str):
        raise InvalidRequest("invalid_request", f"{where}answer must be a string")
    if not answer.strip():
        raise InvalidRequest("empty_answer", f"{where}answer is empty")
    if len(answer) > MAX_ANSWER_CHARS:
        raise InvalidRequest("answer_too_long",
                             f"{where}answer has {len(answer)} characters; the limit is "
                             f"{MAX_ANSWER_CHARS}")
    comps = obj.get("competencies")
    if not isinstance(comps, list) or not comps:
        raise InvalidRequest("no_competencies",
                             f"{where}competencies must be a non-empty list")
    if len(comps) > MAX_COMPETENCIES:
        raise InvalidRequest("invalid_request",
                             f"{where}competencies has more than {MAX_COMPETENCIES} entries")
    competencies = [parse_competency(c, f"{where}competencies[{i}]") for i, c in enumerate(comps)]
    keys = [c.key for c in competencies]
    if len(set(keys)) != len(keys):
        raise InvalidRequest("invalid_request", f"{where}competencies has duplicate keys")
    delivery_raw = obj.get("delivery")
    delivery: dict[str, float] = {}
    if delivery_raw is not None:
        if not isinstance(delivery_raw, dict):
            raise InvalidRequest("invalid_request", f"{where}delivery must be an object")
        for name in DELIVERY_FIELDS:
            if delivery_raw.get(name) is not None:
                delivery[name] = _number(delivery_raw[name], f"{where}delivery.{name}", 0, 86_400)
    return ScoreRequest(request_id=request_id, language=language, question=question,
                        answer=answer, competencies=competencies, delivery=delivery)


def parse_batch(obj: Any) -> list[ScoreRequest]:
    if not isinstance(obj, dict) or not isinstance(obj.get("items"), list):
        raise InvalidRequest("invalid_request", "items must be a list of scoring requests")
    items = obj["items"]
    if not items:
        raise InvalidRequest("invalid_request", "items must not be empty")
    if len(items) > MAX_BATCH_ITEMS:
        raise InvalidRequest("too_many_items",
                             f"items has {len(items)} entries; the limit is {MAX_BATCH_ITEMS}")
    return [parse_score_request(it, f"items[{i}]") for i, it in enumerate(items)]


# -- OpenAPI ----------------------------------------------------------------------
def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi(model_version: str, version: str) -> dict:
    errors = {
        "400": _error_response("Bad input; error.message names the field "
                               "(codes: invalid_json, invalid_request, empty_answer, answer_too_long, "
                               "unknown_language, no_competencies, missing_anchors, too_many_items)"),
        "401": _error_response("Missing or wrong bearer token (code: unauthorized)"),
        "413": _error_response("Body larger than the worker accepts (code: payload_too_large)"),
        "503": _error_response("Model still loading (code: not_ready); retry after Retry-After"),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Talent Portal scoring worker", "version": version,
                 "description": "Scores interview answers against behaviourally anchored "
                                "competency models. Stateless; idempotent by request_id. "
                                f"Model: {model_version}."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Competency": {"type": "object", "required": ["key", "anchors"], "properties": {
                    "key": {"type": "string"}, "name": {"type": "string"},
                    "description": {"type": "string"},
                    "keywords": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_KEYWORDS},
                    "weight": {"type": "number", "minimum": 0, "default": 1},
                    "required_level": {"type": "number", "minimum": 0, "maximum": 100},
                    "anchors": {"type": "object", "required": list(ANCHOR_LEVELS),
                                "properties": {lvl: {"type": "string"} for lvl in ANCHOR_LEVELS},
                                "description": "Behaviour expected at levels 1, 3 and 5"}}},
                "Delivery": {"type": "object", "properties": {
                    "duration_s": {"type": "number", "minimum": 0},
                    "pause_count": {"type": "number", "minimum": 0},
                    "pause_total_s": {"type": "number", "minimum": 0}},
                    "description": "Optional audio-derived features; they only affect the "
                                   "delivery block, never content scores"},
                "ScoreRequest": {"type": "object",
                                 "required": ["request_id", "question", "answer", "competencies"],
                                 "properties": {
                                     "request_id": {"type": "string", "maxLength": 200},
                                     "language": {"type": "string", "enum": list(LANGUAGES),
                                                  "default": "auto"},
                                     "question": {"type": "string", "maxLength": MAX_QUESTION_CHARS},
                                     "answer": {"type": "string", "minLength": 1,
                                                "maxLength": MAX_ANSWER_CHARS},
                                     "delivery": {"$ref": "#/components/schemas/Delivery"},
                                     "competencies": {"type": "array", "minItems": 1,
                                                      "maxItems": MAX_COMPETENCIES,
                                                      "items": {"$ref": "#/components/schemas/Competency"}}}},
                "Evidence": {"type": "object", "properties": {
                    "sentence": {"type": "string"}, "similarity": {"type": "number"}}},
                "CompetencyScore": {"type": "object", "properties": {
                    "key": {"type": "string"},
                    "score": {"type": "number", "minimum": 0, "maximum": 100},
                    "level": {"type": "number", "minimum": 0, "maximum": 5,
                              "description": "score / 20"},
                    "evidence": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}},
                    "keywords_hit": {"type": "array", "items": {"type": "string"}},
                    "meets_required_level": {"type": "boolean"}}},
                "ScoreResult": {"type": "object", "properties": {
                    "request_id": {"type": "string"}, "model_version": {"type": "string"},
                    "language": {"type": "string", "enum": ["zh", "en"]},
                    "overall": {"type": "number"}, "relevance": {"type": "number"},
                    "coherence": {"type": "number"}, "keyword_density": {"type": "number"},
                    "competencies": {"type": "array",
                                     "items": {"$ref": "#/components/schemas/CompetencyScore"}},
                    "structure": {"type": "object", "properties": {
                        p: {"type": "boolean"} for p in ("situation", "task", "action", "result")}},
                    "delivery": {"type": "object",
                                 "description": "pace, pace_band, pause_ratio, pauses_per_min, fluency"}}},
            },
        },
        "paths": {
            "/v1/score": {"post": {
                "summary": "Score one answer", "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ScoreRequest"}}}},
                "responses": {"200": {"description": "Scores", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ScoreResult"}}}}, **errors}}},
            "/v1/score:batch": {"post": {
                "summary": f"Score up to {MAX_BATCH_ITEMS} answers; results in request order",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["items"], "properties": {"items": {
                        "type": "array", "minItems": 1, "maxItems": MAX_BATCH_ITEMS,
                        "items": {"$ref": "#/components/schemas/ScoreRequest"}}}}}}},
                "responses": {"200": {"description": "Scores in request order", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"results": {
                        "type": "array", "items": {"$ref": "#/components/schemas/ScoreResult"}}}}}}},
                    **errors}}},
            "/v1/transcribe": {"post": {
                "summary": "Transcribe one spoken answer; transcript, segments and delivery figures",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "language", "in": "query", "required": True,
                     "schema": {"type": "string", "enum": ["zh", "en"]}},
                    {"name": "request_id", "in": "query", "required": False,
                     "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$"}}],
                "requestBody": {"required": True, "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary",
                               "description": "WebM/Opus (as MediaRecorder records), Ogg or WAV"}}}},
                "responses": {
                    "200": {"description": "Transcript", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "request_id": {"type": "string"}, "language": {"type": "string"},
                            "model_version": {"type": "string"}, "text": {"type": "string"},
                            "segments": {"type": "array", "items": {"type": "object", "properties": {
                                "start": {"type": "number"}, "end": {"type": "number"},
                                "text": {"type": "string"}}}},
                            "delivery": {"type": "object", "properties": {
                                k: {"type": "number"} for k in (
                                    "duration_s", "speech_s", "speaking_rate", "pause_count",
                                    "longest_pause_s", "pause_total_s")}},
                            "elapsed_s": {"type": "number"}}}}}},
                    "400": _error_response("codes: unknown_language, invalid_request, empty_audio, "
                                           "invalid_audio, audio_too_long"),
                    "401": errors["401"],
                    "413": _error_response("Audio larger than --max-audio-bytes"),
                    "503": _error_response("not_ready, busy (one at a time) or "
                                           "transcription_unavailable (model failed its checksum)")}}},
            "/healthz": {"get": {
                "summary": "Liveness and readiness (no token needed)",
                "responses": {"200": {"description": "Ready", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "status": {"type": "string", "enum": ["ok"]},
                        "model_version": {"type": "string"}}}}}},
                    "503": _error_response("Model still loading")}}},
            "/openapi.json": {"get": {"summary": "This description",
                                      "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
    }
