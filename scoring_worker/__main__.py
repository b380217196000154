"""python -m scoring_worker --host 127.0.0.1 --port 8765 [--token-file PATH]

The bearer token comes from --token-file (first line, surrounding whitespace
stripped) or else from the SCORING_TOKEN environment variable. Without a token
the worker refuses to start.
"""

from __future__ import annotations

import argparse
import logging
import os
import stat
import sys


def read_token(token_file: str | None) -> str:
    if token_file:
        try:
            st = os.stat(token_file)
            with open(token_file, encoding="utf-8") as fh:
                token = fh.read().strip()
        except OSError as exc:
            raise SystemExit(f"scoring_worker: cannot read --token-file: {exc.strerror}") from None
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            logging.getLogger("scoring_worker").warning(
                "token file %s is readable by group or others; chmod 600 it", token_file)
    else:
        token = os.environ.get("SCORING_TOKEN", "").strip()
    if not token:
        raise SystemExit("scoring_worker: no token: set SCORING_TOKEN or pass --token-file PATH")
    if len(token) < 16:
        logging.getLogger("scoring_worker").warning("the bearer token is short (< 16 characters)")
    return token


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m scoring_worker",
                                description="Talent Portal scoring worker (HTTP API v1)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--token-file", help="file holding the bearer token (else $SCORING_TOKEN)")
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1),
                   help="compute threads for one request or batch (default: min(2, cores))")
    p.add_argument("--max-body-bytes", type=int, default=8 * 1024 * 1024)
    p.add_argument("--idempotency-entries", type=int, default=2048,
                   help="recent results remembered by request_id (0 disables)")
    p.add_argument("--idle-timeout", type=float, default=30.0,
                   help="seconds a half-sent request may stay silent before it is closed (default: %(default)s)")
    p.add_argument("--max-audio-bytes", type=int, default=32 * 1024 * 1024,
                   help="largest /v1/transcribe body (default: 32 MiB); larger gets 413")
    p.add_argument("--max-audio-seconds", type=float, default=1200.0,
                   help="longest audio /v1/transcribe accepts (default: %(default)s)")
    p.add_argument("--whisper-model-dir", default=os.environ.get("SCORING_WHISPER_MODEL_DIR") or None,
                   help="a CTranslate2 Whisper model directory to use instead of the bundled base "
                        "model (needs --whisper-model-sha256)")
    p.add_argument("--whisper-model-sha256", default=os.environ.get("SCORING_WHISPER_MODEL_SHA256") or None,
                   help="SHA-256 of model.bin in --whisper-model-dir; checked at start")
    p.add_argument("--log-level", default=os.environ.get("SCORING_LOG_LEVEL", "info"))
    args = p.parse_args(argv)

    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    token = read_token(args.token_file)

    # One BLAS thread per compute thread: parallelism comes from the worker's own
    # pool. Must happen before numpy is imported (it is, lazily, by the model load).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # Nothing is downloaded at run time: faster-whisper's Hub client stays offline.
    os.environ["HF_HUB_OFFLINE"] = "1"

    # The encoder threads drop the GIL for every BLAS call and need it back for
    # the next numpy call; a 0.5 ms switch interval (default 5 ms) keeps them
    # from queueing behind Python-bound threads. Measured: +20-30 % batch throughput.
    sys.setswitchinterval(0.0005)

    import uvicorn

    from .app import Worker, create_app
    from .idle import protocol_with_timeout
    from .transcribe import ModelChoice, Transcriber

    worker = Worker(threads=args.threads, idempotency_entries=args.idempotency_entries)
    transcriber = Transcriber(ModelChoice(args.whisper_model_dir, args.whisper_model_sha256),
                              threads=args.threads, max_seconds=args.max_audio_seconds)
    app = create_app(token, worker, max_body=args.max_body_bytes, transcriber=transcriber,
                     max_audio=args.max_audio_bytes)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower(),
                access_log=False, loop="asyncio", http=protocol_with_timeout(args.idle_timeout),
                lifespan="on",
                server_header=False)


if __name__ == "__main__":
    main()
