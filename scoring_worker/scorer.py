"""Behaviourally anchored scoring of one interview answer (scorer bars-3).

How a competency score is made (constants below, hand-set and documented in
docs/scoring-worker.md; word lists come from named general sources, never from
labelled answers):

1. The answer is cut into sentences, long ones into clause-sized pieces
   (about 14 encoder tokens, text.MAX_PIECE_UNITS). Sentences that are mostly competency
   keywords, and repeated sentences, are set aside (keyword stuffing gains
   nothing). Opinions, habits and hypotheticals ("I always...") are kept for
   relevance but carry no evidence. The encoder sees each sentence with names,
   gender and places neutralised.
2. Each sentence gets a weight per competency: how much it is about THAT
   competency (meaning: similarity to its description and anchor clauses
   against the Great Eight factors that are not it; words: a word distinctive
   of its own text). The answer's relevance to the competency = mean of the
   two best weights.
3. Anchor placement: the contrast between level-5 and level-1 anchor coverage,
   scaled by that relevance.
4. Behavioural evidence: behaviour clauses, quantities and length count per
   sentence times its weight, STAR parts times the relevance; passivity
   (blame, waiting, giving up... and, since bars-3, a behaviour explicitly not
   done: "没告诉", "didn't call back") subtracts.
5. level = 1 + 4 x (0.35 x placement + 0.65 x evidence) (+ at most 0.15 for
   keywords), times 0.8 + 0.2 x relevance to the competency, times the
   off-topic gate. score = 20 x level. Quoted evidence: whole sentences at
   least half of whose pieces have weight >= 0.6.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from . import text as T
from .encoder import Encoder
from .models import Competency, ScoreRequest
from .reference import GREAT_EIGHT, NON_ANSWERS

SCORER_VERSION = "bars-3"

# -- constants (see module docstring) -------------------------------------------------
W_PLACEMENT = 0.35
W_EVIDENCE = 0.65
KEYWORD_MAX_LEVEL = 0.15       # keywords can add at most 3 points
STUFFING_SHARE = 0.3           # a sentence whose words are >= 30 % keywords is a keyword list
ACTIONS_FULL = 4               # behaviour clauses for full credit
QUANTITIES_FULL = 4
TOKENS_FULL = 180              # encoder tokens of real content for full length credit
PASSIVITY_STEP = 0.12          # evidence lost per passive/blaming statement (max 2)
RELEVANCE_LO, RELEVANCE_HI = -0.30, -0.10   # margin (on-topic minus non-answer similarity)
RELEVANCE_FLOOR = 0.30         # an off-topic answer keeps at most 30 % of its score
SUBSTANCE_WORDS = 12           # distinct words below which an answer says too little to be on topic
COHERENCE_LO, COHERENCE_HI = 0.05, 0.45     # mean adjacent-sentence similarity
EVIDENCE_TOP = 3
# -- is a sentence about THIS competency? (bars-2) -------------------------------------
# Semantic side: similarity to the competency's description and anchor clauses,
# minus half the similarity to the nearest Great Eight factor that is not this
# competency (reference.GREAT_EIGHT); 0 gives no weight, 0.15 or more full weight.
ABOUT_LO, ABOUT_HI = 0.0, 0.15
CONTRAST_WEIGHT = 0.5
FACTOR_OVERLAP = 0.65          # a factor at >= 65 % of the closest factor's similarity is "this competency"
# Lexical side: one word distinctive of the competency's own text (name, description,
# keywords, anchors, minus the words of its contrast factors) gives full weight.
LEX_FULL = 1
W_SEMANTIC = 0.5               # a sentence's weight = half semantic + half lexical
ABOUT_TOP = 2                  # the answer's relevance to the competency = mean of its 2 best weights
PLACEMENT_BASE = 0.5           # anchor placement keeps 50 % + 50 % x that relevance
COMP_FLOOR = 0.8               # an answer that never shows the competency keeps at most 80 %
EVIDENCE_MIN = 0.6             # a quoted sentence must share the competency's words and meaning

def _round(x: float, nd: int = 1) -> float:
    return float(round(float(x), nd))


@dataclass
class _CompiledCompetency:
    comp: Competency
    anchor_vecs: np.ndarray                # (3, D) whole anchors 1, 3, 5
    clause_vecs: list[np.ndarray]          # per level: (k, D)
    topic_vec: np.ndarray
    spread: float                          # 1 - similarity(anchor 1, anchor 5)
    matchers: list[T.KeywordMatcher]
    refs: np.ndarray                       # topic + every anchor clause: what the competency is about
    contrast: np.ndarray                   # Great Eight factors that are not this competency
    lexicon: frozenset                     # words distinctive of the competency's own text
    language: str                          # of the competency's own text


@dataclass
class _Rubric:
    key: str
    items: list[_CompiledCompetency]
    refs: np.ndarray                       # every anchor and topic vector, for relevance
    matchers: list[T.KeywordMatcher]       # union of keywords


@dataclass
class _Prepared:
    req: ScoreRequest
    rubric: _Rubric
    answer: str
    language: str
    sentences: list[str]
    kept_idx: list[int]
    substance: float          # 0..1: distinct words of real content, saturating at 12
    n_words: int
    kw_total: int
    kept_hits: dict[str, int]
    structure: dict[str, bool]
    passivity: int
    # per kept sentence (same order as kept_idx)
    kept_parents: list[int]
    actions: list[int]
    quantities: list[int]
    parts: list[dict[str, bool]]
    specific: list[bool]      # False for opinions, habits, hypotheticals ("false STAR")
    neutral: list[str]        # what the encoder sees: no names, gender or places
    stems: list[set]          # content words, for the lexical side of "is this about X"
    parent_text: dict[int, str]  # each whole sentence as spoken, for quoting
    q_vec: np.ndarray


def rubric_key(competencies: list[Competency]) -> str:
    payload = [[c.key, c.name, c.description, list(c.keywords),
                sorted(c.anchors.items())] for c in competencies]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


FACTOR_TEXTS = list(GREAT_EIGHT.values())
# function words and words every competency text uses; they say nothing about which one
_STOP = frozenset("""我们 他们 对方 自己 能够 可以 进行 通过 并且 以及 需要 时候 没有 一个 什么 如何 问题 工作
    about above after again against also although among another anyone anything around because
    been before being below between both cannot could does doing done down during each either else
    even ever every first from further have having here into itself just last least less like long
    made make many more most much must never next none only other others over same several should
    since some still such than that their them then there these they thing things this those though
    through time times under until very well were what when where whether which while will with
    within without would your""".split())


def _stems(text: str) -> set[str]:
    """Content words: Chinese words of 2+ characters, English words of 4+ letters cut to 5."""
    out = set()
    for w in T.words(text):
        if w in _STOP:
            continue
        if w.isascii():
            if len(w) >= 4:
                out.add(re.sub(r"(?:ments?|ings?|ed|es|s)$", "", w)[:5])
        elif len(w) >= 2:
            out.add(w)
    return out


def _parent_texts(answer: str, pieces: list[tuple[str, int]]) -> dict[int, str]:
    """Each sentence as it stands in the answer, from its first piece to its last."""
    spans: dict[int, list[int]] = {}
    pos = 0
    for piece, k in pieces:
        start = answer.find(piece, pos)
        if start < 0:  # a piece always comes from the answer; stay safe all the same
            continue
        pos = start + len(piece)
        spans.setdefault(k, [start, pos])[1] = pos
    return {k: answer[a:b] for k, (a, b) in spans.items()}


def _clauses(anchor: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[，,、；;。.：:]|\band\b|\bor\b|并且|以及", anchor)]
    parts = [p for p in parts if len(p) >= 2]
    return parts or [anchor]


class _LRU(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get_or(self, key, make):
        with self.lock:
            if key in self:
                self.move_to_end(key)
                return self[key]
        value = make()
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)
        return value


class Scorer:
    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.model_version = f"{SCORER_VERSION}+{encoder.version}"
        self._non_answers = encoder.encode(NON_ANSWERS)
        self._factors = [encoder.encode(texts) for texts in GREAT_EIGHT.values()]  # (zh, en) each
        self._rubrics = _LRU(128)
        self._texts = _LRU(4096)

    def warm_up(self) -> None:
        """Run one tiny request per language so the first real one pays no first-use costs."""
        comp = Competency("warm_up", "沟通能力", "communication", ("倾听", "listen"), 1.0, None,
                          {"1": "不倾听。Does not listen.", "3": "会倾听。Listens.",
                           "5": "主动倾听并确认。Listens actively and confirms."})
        for answer in ("我先听客户说完，然后解决了问题。", "I listened first and then fixed it."):
            self.score(ScoreRequest("warm-up", "auto", "请举例说明。Give an example.", answer,
                                    [comp]))
        self._rubrics.clear()
        self._texts.clear()

    # -- caches ---------------------------------------------------------------------
    def _embed_cached(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._non_answers.shape[1]), dtype=np.float32)
        missing = []
        for i, t in enumerate(texts):
            with self._texts.lock:
                v = self._texts.get(t)
            if v is None:
                missing.append(i)
            else:
                out[i] = v
        if missing:
            vecs = self.encoder.encode([texts[i] for i in missing], parallel=False)
            for i, v in zip(missing, vecs):
                out[i] = v
                self._texts.get_or(texts[i], lambda v=v: v)
        return out

    def rubric(self, competencies: list[Competency]) -> _Rubric:
        key = rubric_key(competencies)
        return self._rubrics.get_or(key, lambda: self._compile(key, competencies))

    def _compile(self, key: str, competencies: list[Competency]) -> _Rubric:
        items = []
        for c in competencies:
            anchors = [c.anchors["1"], c.anchors["3"], c.anchors["5"]]
            clause_lists = [_clauses(a) for a in anchors]
            topic = f"{c.name}：{c.description}" if c.description else c.name
            flat = anchors + [topic] + [cl for lst in clause_lists for cl in lst]
            vecs = self._embed_cached(flat)
            anchor_vecs, topic_vec = vecs[:3], vecs[3]
            pos, clause_vecs = 4, []
            for lst in clause_lists:
                clause_vecs.append(vecs[pos:pos + len(lst)])
                pos += len(lst)
            spread = max(0.05, 1.0 - float(anchor_vecs[0] @ anchor_vecs[2]))
            refs = np.vstack([topic_vec[None], *clause_vecs])
            centre = refs.mean(axis=0)
            centre /= max(1e-6, float(np.linalg.norm(centre)))
            closeness = [float((f @ centre).max()) for f in self._factors]
            keep_f = [k for k, x in enumerate(closeness) if x < FACTOR_OVERLAP * max(closeness)]
            language = T.detect_language(" ".join([c.description, *anchors]))
            # contrast in the model's own language, so that an answer in the other
            # language meets both sides across languages (cross-lingual similarity is lower)
            side = 0 if language == "zh" else 1
            far = [self._factors[k][side:side + 1] for k in keep_f]
            own_words = _stems(" ".join([c.name, c.description, *c.keywords, *anchors]))
            other_words = _stems(" ".join(t for k in keep_f for t in FACTOR_TEXTS[k]))
            items.append(_CompiledCompetency(
                c, anchor_vecs, clause_vecs, topic_vec, spread,
                [T.KeywordMatcher.build(k) for k in c.keywords if k.strip()],
                refs, np.vstack(far), frozenset(own_words - other_words), language))
        refs = np.vstack([np.vstack([it.anchor_vecs, it.topic_vec[None]]) for it in items])
        seen, union = set(), []
        for it in items:
            for m in it.matchers:
                if m.key not in seen:
                    seen.add(m.key)
                    union.append(m)
        return _Rubric(key, items, refs, union)

    # -- scoring --------------------------------------------------------------------
    def score(self, req: ScoreRequest, parallel: bool = True) -> dict:
        """Score one answer. ``parallel`` spreads its encoding over the encoder's threads."""
        prep = self.prepare(req)
        return self.finish(prep, self.encode_prepared(prep, parallel=parallel))

    def encode_prepared(self, prep: _Prepared, parallel: bool = False) -> tuple[np.ndarray, list[int]]:
        """The encoder step alone (releases the GIL in BLAS; batches run it on a pool).

        Only kept sentences are embedded: keyword lists and repeats are never used."""
        return self.encoder.encode_with_lengths(prep.neutral, parallel=parallel)

    def prepare(self, req: ScoreRequest) -> _Prepared:
        """Text analysis that needs no vectors: sentences, words, keywords, cues."""
        rubric = self.rubric(req.competencies)
        answer = T.normalise(req.answer)
        language = req.language if req.language in ("zh", "en") else T.detect_language(answer)
        pieces = T.split_sentences_with_parent(answer) or [(answer, 0)]
        sentences = [p for p, _ in pieces]
        parents = [k for _, k in pieces]
        sent_words = [T.words(s) for s in sentences]
        sent_lower = [T.fold(s) for s in sentences]

        # keyword hits per sentence (union of all competencies' keywords), once
        union_hits = [T.keyword_counts(rubric.matchers, sent_lower[i], sent_words[i])
                      for i in range(len(sentences))]
        n_words = sum(len(w) for w in sent_words)
        kw_total = sum(sum(h.values()) for h in union_hits)

        # sentences that can carry evidence: not part of a keyword list, not a
        # repeat. Keyword share is judged on the whole sentence a piece came from.
        parent_hits: dict[int, int] = {}
        parent_words: dict[int, int] = {}
        for i, k in enumerate(parents):
            parent_hits[k] = parent_hits.get(k, 0) + sum(union_hits[i].values())
            parent_words[k] = parent_words.get(k, 0) + len(sent_words[i])
        keep, seen = [], set()
        for i, k in enumerate(parents):
            n_hit, wl = parent_hits[k], max(1, parent_words[k])
            norm = "".join(sent_words[i])
            stuffed = n_hit >= 2 and n_hit / wl >= STUFFING_SHARE
            keep.append(not stuffed and norm not in seen)
            seen.add(norm)
        kept_idx = [i for i, k in enumerate(keep) if k]
        # an opinion or habit is judged on its whole sentence ("I always listen, confirm...")
        generic_parent: dict[int, bool] = {}
        for i, k in enumerate(parents):
            generic_parent[k] = generic_parent.get(k, False) or T.is_generic(sentences[i])
        kept_text = " ".join(sentences[i] for i in kept_idx)
        kept_hits: dict[str, int] = {}
        for i in kept_idx:
            for k, n in union_hits[i].items():
                if n:
                    kept_hits[k] = kept_hits.get(k, 0) + n
        distinct = len({w for i in kept_idx for w in sent_words[i]})
        return _Prepared(
            req=req, rubric=rubric, answer=answer, language=language, sentences=sentences,
            substance=min(1.0, distinct / SUBSTANCE_WORDS),
            kept_idx=kept_idx, n_words=n_words, kw_total=kw_total, kept_hits=kept_hits,
            structure=T.star(kept_text),
            passivity=T.passive_statements(kept_text),
            kept_parents=[parents[i] for i in kept_idx],
            actions=[T.action_clauses(sentences[i]) for i in kept_idx],
            quantities=[len(T.QUANTITY.findall(sentences[i])) for i in kept_idx],
            parts=[T.star(sentences[i]) for i in kept_idx],
            specific=[not generic_parent[parents[i]] for i in kept_idx],
            neutral=[T.neutralise(sentences[i]) for i in kept_idx],
            stems=[_stems(sentences[i]) for i in kept_idx],
            parent_text=_parent_texts(answer, pieces),
            q_vec=self._embed_cached([T.normalise(req.question)])[0])

    def finish(self, prep: _Prepared, encoded: tuple[np.ndarray, list[int]]) -> dict:
        """Everything that needs the sentence vectors; returns the API result."""
        vecs, lengths = encoded
        req, rubric, kept_idx = prep.req, prep.rubric, prep.kept_idx
        language, answer, q_vec = prep.language, prep.answer, prep.q_vec
        structure = prep.structure
        kept_vecs = vecs if kept_idx else np.zeros((0, self._non_answers.shape[1]), np.float32)

        # -- relevance: on-topic vs generic non-answers --------------------------------
        if kept_idx:
            centroid = kept_vecs.mean(axis=0)
            centroid /= max(1e-6, float(np.linalg.norm(centroid)))
            on = max(float(centroid @ q_vec), float((rubric.refs @ centroid).max()))
            off = float((self._non_answers @ centroid).max())
            margin = on - off
            q_sim = float(centroid @ q_vec)
        else:
            margin, q_sim = RELEVANCE_LO - 1, 0.0
        rel = min(1.0, max(0.0, (margin - RELEVANCE_LO) / (RELEVANCE_HI - RELEVANCE_LO)))
        # "好", "OK" or one word repeated say nothing on any topic
        rel *= prep.substance
        q_sim *= prep.substance
        gate = RELEVANCE_FLOOR + (1 - RELEVANCE_FLOOR) * rel

        # -- coherence: adjacent kept sentences -----------------------------------------
        if len(kept_idx) >= 2:
            adj = float(np.mean(np.sum(kept_vecs[1:] * kept_vecs[:-1], axis=1)))
            coherence = min(1.0, max(0.0, (adj - COHERENCE_LO) / (COHERENCE_HI - COHERENCE_LO)))
        else:
            coherence = 0.5 if kept_idx else 0.0
        coherence *= 0.5 + 0.5 * rel  # a coherent story about something else is not coherent here

        # -- context vectors: a comma-cut fragment is judged with its whole sentence -------
        ctx = np.zeros_like(kept_vecs)
        for parent in set(prep.kept_parents):
            rows = [j for j, k in enumerate(prep.kept_parents) if k == parent]
            mean = kept_vecs[rows].mean(axis=0)
            ctx[rows] = mean / max(1e-6, float(np.linalg.norm(mean)))
        specific = np.array(prep.specific, dtype=bool)
        kept_hits = prep.kept_hits

        results = []
        for item in rubric.items:
            c = item.comp
            if kept_idx:
                # how much each sentence is about THIS competency (0..1), opinions excluded
                about = ((ctx @ item.refs.T).max(axis=1)
                         - CONTRAST_WEIGHT * (ctx @ item.contrast.T).max(axis=1))
                semantic = np.clip((about - ABOUT_LO) / (ABOUT_HI - ABOUT_LO), 0.0, 1.0)
                if item.language == prep.language:
                    lexical = np.array([min(1.0, len(ws & item.lexicon) / LEX_FULL)
                                        for ws in prep.stems])
                    own = (W_SEMANTIC * semantic + (1 - W_SEMANTIC) * lexical) * specific
                else:  # an answer in another language shares no words with the model: meaning only
                    own = semantic * specific
                comp_rel = float(np.sort(own)[::-1][:ABOUT_TOP].mean())
                # a sentence counts by how much it, or the story it belongs to, is about X
                weight = np.maximum(own, comp_rel) * specific
                cover = []
                for cv in item.clause_vecs:
                    sims = kept_vecs @ cv.T                   # (sentences, clauses)
                    sims = np.where(specific[:, None], sims, -1.0)
                    cover.append(float(sims.max(axis=0).mean()) if specific.any() else 0.0)
                contrast = (cover[2] - cover[0]) / item.spread
                placement = min(1.0, max(0.0, 0.5 + contrast * 2.0)) if specific.any() else 0.0
                placement *= PLACEMENT_BASE + (1 - PLACEMENT_BASE) * comp_rel
                anchor_sims = kept_vecs @ item.anchor_vecs.T  # (sentences, 3)
                best = anchor_sims.max(axis=1)
                # -- behavioural evidence, counted where it is about this competency ------
                actions = float(weight @ np.array(prep.actions, dtype=np.float32))
                quantities = float(weight @ np.array(prep.quantities, dtype=np.float32))
                tokens = float(weight @ np.array(lengths, dtype=np.float32))
                parts = sum(max((float(w) for w, p in zip(weight, prep.parts) if p[part]), default=0.0)
                            for part in T.STAR_CUES)
                evidence = (0.30 * min(1.0, actions / ACTIONS_FULL)
                            + 0.25 * min(1.0, quantities / QUANTITIES_FULL)
                            + 0.20 * min(1.0, parts * comp_rel / 4)
                            + 0.25 * min(1.0, tokens / TOKENS_FULL)
                            - PASSIVITY_STEP * min(2, prep.passivity))
                evidence = min(1.0, max(0.0, evidence))
            else:
                placement, best, own, comp_rel, evidence = 0.0, np.zeros(0), np.zeros(0), 0.0, 0.0
            hit_list = [m.keyword for m in item.matchers if kept_hits.get(m.key)]
            kw_term = KEYWORD_MAX_LEVEL * min(1.0, len(hit_list) / 2) * rel * comp_rel
            level = 1 + 4 * (W_PLACEMENT * placement + W_EVIDENCE * evidence) + kw_term
            # per-competency relevance: an answer that does not show this competency
            # cannot score high on it, however good it is otherwise
            comp_gate = COMP_FLOOR + (1 - COMP_FLOOR) * comp_rel
            level = min(5.0, level) * gate * comp_gate if kept_idx else 0.0
            score = 20.0 * level
            # quoted as whole sentences, when at least half of a sentence's pieces show
            # this competency: one clause that happens to sound like an anchor
            # ("制定了改进方案" near "事后总结改进") does not make its sentence evidence
            pieces_of: dict[int, list[int]] = {}
            for j, k in enumerate(prep.kept_parents[:len(best)]):
                pieces_of.setdefault(k, []).append(j)
            quoted = sorted((-max(float(best[j]) for j in js), k) for k, js in pieces_of.items()
                            if 2 * sum(own[j] >= EVIDENCE_MIN for j in js) >= len(js)
                            and k in prep.parent_text)[:EVIDENCE_TOP]
            evidence_list = [{"sentence": prep.parent_text[k], "similarity": _round(-neg, 3)}
                             for neg, k in quoted]
            entry = {"key": c.key, "score": _round(score), "level": _round(level, 2),
                     "evidence": evidence_list, "keywords_hit": hit_list}
            if c.required_level is not None:
                entry["meets_required_level"] = bool(score >= c.required_level)
            results.append(entry)

        weights = [max(0.0, it.comp.weight) for it in rubric.items]
        total_w = sum(weights) or float(len(weights))
        if sum(weights) == 0:
            weights = [1.0] * len(weights)
        overall = sum(w * r["score"] for w, r in zip(weights, results)) / total_w
        relevance = 100.0 * (0.7 * rel + 0.3 * min(1.0, max(0.0, q_sim / 0.4)))

        out = {
            "request_id": req.request_id,
            "model_version": self.model_version,
            "language": language,
            "overall": _round(overall),
            "relevance": _round(relevance),
            "coherence": _round(100.0 * coherence),
            "keyword_density": _round(prep.kw_total / prep.n_words, 4) if prep.n_words else 0.0,
            "competencies": results,
            "structure": structure,
        }
        if req.delivery:
            out["delivery"] = delivery_features(req.delivery, answer, language)
        return out


def delivery_features(delivery: dict[str, float], answer: str, language: str) -> dict:
    """What audio-derived features speak to: pace and pauses. Never content scores."""
    out: dict[str, float | str | None] = {}
    duration = delivery.get("duration_s")
    if duration:
        if language == "zh":
            units = len(T._CJK.findall(answer)) + len(T._LATIN_WORD.findall(answer))
            pace = units / duration * 60.0  # characters per minute
            lo, hi, unit = 150.0, 300.0, "chars_per_min"
        else:
            units = len(T._LATIN_WORD.findall(answer))
            pace = units / duration * 60.0  # words per minute
            lo, hi, unit = 100.0, 180.0, "words_per_min"
        out["pace"] = _round(pace)
        out["pace_unit"] = unit
        out["pace_band"] = "slow" if pace < lo else "fast" if pace > hi else "normal"
    pause_total = delivery.get("pause_total_s")
    if duration and pause_total is not None:
        out["pause_ratio"] = _round(min(1.0, pause_total / duration), 3)
    if "pause_count" in delivery and duration:
        out["pauses_per_min"] = _round(delivery["pause_count"] / duration * 60.0, 2)
    # fluency: 100 in the normal pace band with few pauses, lower outside it
    fluency = 100.0
    if "pace" in out:
        p = float(out["pace"])
        if p < lo:
            fluency -= min(40.0, (lo - p) / lo * 100.0)
        elif p > hi:
            fluency -= min(40.0, (p - hi) / hi * 100.0)
    if "pause_ratio" in out:
        fluency -= min(40.0, max(0.0, float(out["pause_ratio"]) - 0.15) * 100.0)
    out["fluency"] = _round(max(0.0, fluency))
    return out
