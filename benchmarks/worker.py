"""Scoring worker benchmark: accuracy on the labelled answers (development and
locked test parts), the adversarial classes next to genuine level-3 answers, latency,
throughput, cold start, memory, and the worker's overhead over its encoder.

Runs the real worker (``python -m scoring_worker``) on a free loopback port.
Bounded: ~200 single requests and a few 256-item batches; about a minute on
2 cores.  ``python -m benchmarks worker``
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict

from benchmarks.common import ROOT, pct
DATA = ROOT / "tests" / "data"

LATENCY_REQUESTS = 200
BATCH_SIZE = 256
BATCH_ROUNDS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _jsonl(name: str) -> list[dict]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def _load_data() -> tuple[dict, list[dict], list[dict]]:
    """Questions, the labelled answers (each tagged with its part) and the adversarial set."""
    questions = json.loads((DATA / "scoring_questions.json").read_text(encoding="utf-8"))
    labelled = ([dict(i, part="dev") for i in _jsonl("scoring_dev.jsonl")]
                + [dict(i, part="locked") for i in _jsonl("scoring_locked_test.jsonl")])
    return questions, labelled, _jsonl("scoring_adversarial.jsonl")


def _request(item: dict, questions: dict, competencies: list[dict] | None = None,
             request_id: str | None = None) -> dict:
    model = questions[item["question_id"]][item["question_language"]]
    return {"request_id": request_id or item["id"], "language": "auto",
            "question": model["question"], "answer": item["answer"],
            "competencies": competencies or [model["competency"]]}


def _pools(dev: list[dict]) -> dict[str, list[dict]]:
    """Answers of 300-600 characters per language. English answers of that size
    are in the dev set; Chinese ones are denser (about 0.9 encoder token per
    character), so they are made by joining two or three answers to the same
    question at the same level."""
    normal = [i for i in dev if i["kind"] == "normal"]
    en = [i for i in normal if i["language"] == "en" and 300 <= len(i["answer"]) <= 600]
    zh: list[dict] = []
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for i in normal:
        if i["language"] == "zh":
            groups[(i["question_id"], i["level"])].append(i)
    for (qid, level), members in sorted(groups.items()):
        for start in range(len(members)):
            text, used = "", []
            for m in members[start:] + members[:start]:
                if len(text) >= 300:
                    break
                text += m["answer"]
                used.append(m["id"])
            if 300 <= len(text) <= 600:
                zh.append({"id": "+".join(used), "question_id": qid, "question_language": "zh",
                           "level": level, "answer": text})
    return {"zh": zh, "en": en}


def _six(questions: dict, lang: str) -> list[dict]:
    """The six competencies that have labelled answers (not the adversarial-only model)."""
    return [dict(q[lang]["competency"]) for q in questions.values() if q["split"] != "adversarial"]


_BARE_ENCODER = r"""
import json, os, sys, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, sys.argv[1])
from scoring_worker.encoder import Encoder
from scoring_worker import text as T
answers = json.load(sys.stdin)
enc = Encoder(threads=2)
sents = [T.split_sentences(T.normalise(a)) for a in answers]
for s in sents[:5]:
    enc.encode(s)
t = time.perf_counter()
for s in sents:
    enc.encode(s, parallel=True)
single = (time.perf_counter() - t) / len(sents)
flat = [x for s in sents for x in s]
t = time.perf_counter()
enc.encode(flat, parallel=True)
batch = time.perf_counter() - t
print(json.dumps({"single_s": single, "all_s": batch, "sentences": len(flat)}))
"""


def run() -> None:
    import httpx

    from scoring_worker.evaluation import (
        level_from_score,
        quadratic_weighted_kappa,
        spearman,
        standardised_mean_difference,
    )

    questions, labelled, adversarial = _load_data()
    token = secrets.token_urlsafe(32)
    port = _free_port()
    env = dict(os.environ, SCORING_TOKEN=token)
    url = f"http://127.0.0.1:{port}"
    print("== scoring worker ==")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} at start "
          "(timings are only comparable on an otherwise idle machine)")

    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scoring_worker", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        cold = None
        while time.perf_counter() - t0 < 60:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode(errors="replace"))
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    cold = time.perf_counter() - t0
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.01)
        if cold is None:
            raise RuntimeError("worker did not become healthy within 60 s")
        health = httpx.get(url + "/healthz").json()
        rss_ready, _ = _rss_mb(proc.pid)
        print(f"model_version            {health['model_version']}")
        print(f"cold start to healthy    {cold:.2f} s   (target <= 3 s)")
        print(f"RSS when ready           {rss_ready:.0f} MB")

        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                              timeout=120)

        # -- accuracy ---------------------------------------------------------------
        scored: dict[str, float] = {}
        reqs = [_request(i, questions) for i in labelled]
        for start in range(0, len(reqs), 64):
            r = client.post("/v1/score:batch", json={"items": reqs[start:start + 64]})
            r.raise_for_status()
            scored.update({x["request_id"]: x["overall"] for x in r.json()["results"]})
        print("\naccuracy on the labelled answers: dev = tests/data/scoring_dev.jsonl (rules may be "
              "tuned on it),\nlocked = tests/data/scoring_locked_test.jsonl (never read while "
              "changing rules; the figures to quote)\n(QWK on round(score/20); SMD = machine level "
              "- human level, pooled SD)")
        print(f"{'subset':18s} {'n':>4s} {'Spearman':>9s} {'QWK':>6s} {'SMD':>6s}")
        groups: dict[str, list[dict]] = defaultdict(list)
        for item in labelled:
            groups[f"{item['part']}/{item['language']}"].append(item)
            groups[f"{item['part']}/all"].append(item)
        for name in ("locked/zh", "locked/en", "locked/all", "dev/zh", "dev/en", "dev/all"):
            items = groups[name]
            human = [i["level"] for i in items]
            machine = [scored[i["id"]] for i in items]
            rho = spearman(human, machine)
            qwk = quadratic_weighted_kappa(human, [level_from_score(s) for s in machine])
            smd = standardised_mean_difference([s / 20 for s in machine], human)
            print(f"{name:18s} {len(items):4d} {rho:9.3f} {qwk:6.3f} {smd:+6.2f}")

        # -- adversarial classes next to genuine level-3 answers --------------------------
        r = client.post("/v1/score:batch", json={"items": [_request(i, questions) for i in adversarial]})
        r.raise_for_status()
        adv = {x["request_id"]: x for x in r.json()["results"]}
        cells: dict[tuple, list[float]] = defaultdict(list)
        for i in adversarial:
            cells[(i["question_id"], i["language"], i["kind"])].append(adv[i["id"]]["overall"])
        kinds = ("genuine_l3", "star_template", "other_competency", "generic_fluent")
        print("\nadversarial answers (tests/data/scoring_adversarial.jsonl): mean overall score "
              "(min-max) per class; a class should stay below genuine level 3")
        print(f"{'competency/lang':20s} " + " ".join(f"{k:>17s}" for k in kinds))
        for comp in sorted({i["question_id"] for i in adversarial}):
            for lang in ("zh", "en"):
                row = []
                for k in kinds:
                    v = cells[(comp, lang, k)]
                    row.append(f"{statistics.mean(v):5.1f} ({min(v):2.0f}-{max(v):2.0f})")
                print(f"{comp + '/' + lang:20s} " + " ".join(f"{x:>17s}" for x in row))
        moves = [abs(adv[i["id"]]["overall"] - adv[i["base_id"]]["overall"])
                 for i in adversarial if i["kind"] == "swap"]
        print(f"names, gender and places swapped: largest move {max(moves):.1f} points over "
              f"{len(moves)} pairs (target <= 2)")
        quoted = sum(bool(adv[i["id"]]["competencies"][0]["evidence"]) for i in adversarial
                     if i["kind"] == "star_template")
        n_tpl = sum(i["kind"] == "star_template" for i in adversarial)
        print(f"STAR templates quoting evidence for the competency: {quoted} of {n_tpl}\n")
        lift = [scored[i["id"]] - scored[i["base_id"]] for i in labelled if i["kind"] == "stuffing"]
        print(f"keyword stuffing lift   max {max(lift):+.1f} points over {len(lift)} pairs "
              "(target <= +5)")
        margins = []
        for i in labelled:
            if i["kind"] in ("off_topic", "long_off_topic"):
                l3 = [scored[j["id"]] for j in labelled if j["question_id"] == i["question_id"]
                      and j["question_language"] == i["question_language"] and j["level"] == 3
                      and j["kind"] not in ("off_topic", "long_off_topic")]
                margins.append(min(l3) - scored[i["id"]])
        print(f"off-topic vs level 3    smallest gap {min(margins):.1f} points over "
              f"{len(margins)} off-topic answers (must be > 0)")

        # -- latency: one request at a time, 300-600 characters, 6 competencies ---------
        pools = _pools(labelled)
        six = {lang: _six(questions, lang) for lang in ("zh", "en")}

        def body(item: dict, rid: str) -> dict:
            model = questions[item["question_id"]][item["question_language"]]
            return {"request_id": rid, "language": "auto", "question": model["question"],
                    "answer": item["answer"], "competencies": six[item["question_language"]]}

        for lang in ("zh", "en"):  # compile both rubrics, warm the caches
            for k, item in enumerate(pools[lang][:3]):
                client.post("/v1/score", json=body(item, f"warm-{lang}-{k}")).raise_for_status()
        lat: dict[str, list[float]] = {"zh": [], "en": []}
        for n in range(LATENCY_REQUESTS):
            lang = ("zh", "en")[n % 2]
            item = pools[lang][(n // 2) % len(pools[lang])]
            t = time.perf_counter()
            r = client.post("/v1/score", json=body(item, f"lat-{n}"))
            lat[lang].append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
        print(f"\nsingle request over HTTP, one at a time ({LATENCY_REQUESTS} requests, "
              f"answers of 300-600 characters, 6 competencies)   (target p95 <= 50 ms)")
        for name, values in (("zh", lat["zh"]), ("en", lat["en"]), ("all", lat["zh"] + lat["en"])):
            extra = ""
            if name != "all":
                chars = [len(i["answer"]) for i in pools[name]]
                extra = f"   ({len(pools[name])} distinct answers, {min(chars)}-{max(chars)} chars)"
            print(f"  {name:3s} p50 / p95 / max   {pct(values, .5):6.1f} / {pct(values, .95):6.1f} / "
                  f"{max(values):6.1f} ms{extra}")

        # -- batch throughput ---------------------------------------------------------
        print(f"batch of {BATCH_SIZE} over HTTP: answers per second   (target >= 100)")
        rates: dict[str, list[float]] = {}
        mixed = [pools["zh"][k // 2 % len(pools["zh"])] if k % 2 == 0
                 else pools["en"][k // 2 % len(pools["en"])] for k in range(BATCH_SIZE)]
        for name, source in (("zh", None), ("en", None), ("mixed", mixed)):
            rates[name] = []
            for rnd in range(BATCH_ROUNDS):
                items = [body(source[k] if source else pools[name][k % len(pools[name])],
                              f"batch-{name}-{rnd}-{k}") for k in range(BATCH_SIZE)]
                t = time.perf_counter()
                r = client.post("/v1/score:batch", json={"items": items})
                dt = time.perf_counter() - t
                r.raise_for_status()
                rates[name].append(BATCH_SIZE / dt)
            print(f"  {name:5s} median {statistics.median(rates[name]):5.0f}/s   "
                  f"(rounds: {', '.join(f'{x:.0f}' for x in rates[name])})")
        rss, peak = _rss_mb(proc.pid)
        print(f"RSS after the runs       {rss:.0f} MB (peak {peak:.0f} MB)   (target <= 600 MB)")

        # -- overhead over the bare encoder ------------------------------------------------
        print("worker time / bare encoder time on the same sentences (encoder in its own process)")
        for lang in ("zh", "en"):
            answers = [i["answer"] for i in pools[lang]]
            out = subprocess.run([sys.executable, "-c", _BARE_ENCODER, str(ROOT)],
                                 input=json.dumps(answers), capture_output=True, text=True,
                                 env=dict(os.environ), cwd=ROOT, timeout=300, check=True)
            bare = json.loads(out.stdout)
            mean_http = statistics.mean(lat[lang]) / 1000
            per_answer_all = bare["all_s"] / len(answers)
            batch_per_answer = 1 / statistics.median(rates[lang])
            print(f"  {lang}: encoder {bare['single_s'] * 1000:5.1f} ms per answer alone, "
                  f"{per_answer_all * 1000:5.1f} ms in bulk ({1 / per_answer_all:.0f}/s); "
                  f"worker/encoder = {mean_http / bare['single_s']:.2f}x single (HTTP, mean), "
                  f"{batch_per_answer / per_answer_all:.2f}x batch")
        print(f"load average at the end   {os.getloadavg()[0]:.2f}")
        client.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    run()
