"""Text handling for Chinese and English transcripts: language, sentences,
words (jieba for Chinese), keyword hits and STAR cues.

Everything here is deterministic and table-driven; nothing is learned.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_WORD_CHAR = re.compile(r"[\w\u3400-\u9fff]")

_jieba = None
_jieba_lock = threading.Lock()
# jieba's full dictionary has 349k words and takes ~1 s to load even from its
# own cache. The 100k most frequent words (frequency >= 11) segment interview
# speech the same way for our purposes and load in ~0.2 s. A keyword that is
# not in the dictionary is split into smaller pieces, whose boundaries still
# line up with the keyword, so keyword matching is unaffected.
JIEBA_WORDS = 100_000


def _jieba_freq(jieba_module) -> tuple[dict[str, int], int]:
    import marshal

    from .cache import cache_path, write_atomic

    version = getattr(jieba_module, "__version__", "x")
    path = cache_path(f"jieba-{version}-top{JIEBA_WORDS}-v1.marshal")
    if path and os.path.exists(path):
        try:
            with open(path, "rb") as fh:
                freq, total = marshal.load(fh)
            return freq, total
        except (OSError, EOFError, ValueError, TypeError):
            pass
    entries = []
    with open(os.path.join(os.path.dirname(jieba_module.__file__), "dict.txt"),
              encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            parts = line.split(" ")
            if len(parts) >= 2:
                entries.append((-int(parts[1]), n, parts[0]))
    entries.sort()
    freq: dict[str, int] = {}
    total = 0
    for neg, _, word in entries[:JIEBA_WORDS]:
        freq[word] = -neg
        total += -neg
    for _, _, word in entries[:JIEBA_WORDS]:
        for i in range(1, len(word)):
            freq.setdefault(word[:i], 0)
    if path:
        write_atomic(path, lambda out: marshal.dump((freq, total), out))
    return freq, total


def load_jieba():
    """A jieba tokenizer over the 100k most frequent words (built once, cached)."""
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            # jieba imports pkg_resources only to locate its own dictionary; that
            # costs ~0.25 s and a deprecation warning. Its fallback (a path next
            # to its module) is equivalent, so make the import fail on purpose.
            saved = sys.modules.get("pkg_resources", ...)
            sys.modules["pkg_resources"] = None  # type: ignore[assignment]
            try:
                import jieba
            finally:
                if saved is ...:
                    del sys.modules["pkg_resources"]
                else:
                    sys.modules["pkg_resources"] = saved
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.FREQ, tokenizer.total = _jieba_freq(jieba)
            tokenizer.initialized = True
            _jieba = tokenizer
    return _jieba


def normalise(text: str) -> str:
    """Unify whitespace; characters are kept as spoken so evidence quotes the answer."""
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """For matching only: NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def detect_language(text: str) -> str:
    """'zh' when CJK characters carry at least a fifth of the letters, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    # one Chinese character carries about as much as 3 Latin letters
    return "zh" if cjk * 3 >= 0.2 * (cjk * 3 + latin) and cjk > 0 else "en"


# -- sentences ----------------------------------------------------------------
_SENT_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)(?=\s)|\n+")
_CLAUSE = re.compile(r"(?<=[，,：:])")
MAX_SENTENCE_CHARS = 120  # a run-on transcript sentence is cut at commas past this


def split_sentences(text: str) -> list[str]:
    return [piece for piece, _ in split_sentences_with_parent(text)]


def split_sentences_with_parent(text: str) -> list[tuple[str, int]]:
    """Sentence pieces and the index of the full sentence each came from.

    A run-on sentence over MAX_SENTENCE_CHARS (speech transcripts often lack
    full stops) is cut at commas; the parent index lets callers judge the whole
    sentence (e.g. whether it is a keyword list) rather than a fragment.
    """
    out: list[tuple[str, int]] = []
    parent = -1
    for raw in _SENT_END.split(text):
        s = raw.strip()
        if not s or not _WORD_CHAR.search(s):
            continue
        parent += 1
        if len(s) <= MAX_SENTENCE_CHARS:
            out.append((s, parent))
            continue
        buf = ""
        for clause in _CLAUSE.split(s):
            if buf and len(buf) + len(clause) > MAX_SENTENCE_CHARS // 2:
                out.append((buf.strip(), parent))
                buf = ""
            buf += clause
        # no commas at all: cut hard so the encoder still sees sentence-sized text
        while len(buf) > MAX_SENTENCE_CHARS:
            out.append((buf[:MAX_SENTENCE_CHARS].strip(), parent))
            buf = buf[MAX_SENTENCE_CHARS:]
        if buf.strip():
            out.append((buf.strip(), parent))
    return [(p, i) for p, i in out if _WORD_CHAR.search(p)]


# -- words --------------------------------------------------------------------
def words(text: str) -> list[str]:
    """Word tokens: jieba for Chinese runs, letters for Latin, lower-cased."""
    if _CJK.search(text):
        jieba = load_jieba()
        toks = jieba.lcut(unicodedata.normalize("NFKC", text), HMM=False)
    else:
        toks = _LATIN_WORD.findall(unicodedata.normalize("NFKC", text))
    return [t.lower() for t in toks if _WORD_CHAR.search(t)]


_EN_SUFFIX = r"(?:s|es|ed|d|ing|er|ers|ment|ments|ly|ise|ize|ised|ized|ing)?"


@dataclass(frozen=True)
class KeywordMatcher:
    keyword: str
    cjk: bool
    pattern: re.Pattern | None
    key: str = ""        # identity across competencies ("Listen" == "listen")
    folded: str = ""     # CJK form searched in jieba-joined text

    @staticmethod
    def build(keyword: str) -> KeywordMatcher:
        kw = fold(normalise(keyword))
        if _CJK.search(kw):
            return KeywordMatcher(keyword, True, None, kw, kw.replace(" ", ""))
        parts = [re.escape(p) for p in _LATIN_WORD.findall(kw)]
        if not parts:
            return KeywordMatcher(keyword, False, None, kw, kw)
        # light stemming: "analyse" matches analysed/analysing, "listen" listening
        stems = [p[:-1] if p.endswith("e") and len(p) > 4 else p for p in parts]
        body = r"\W+".join(s + r"[a-z]*" if len(s) >= 4 else s + _EN_SUFFIX for s in stems)
        return KeywordMatcher(keyword, False, re.compile(r"\b" + body + r"\b"), kw, kw)

    def count(self, text_lower: str, cjk_tokens: list[str] | None) -> int:
        """Occurrences in one sentence (``text_lower`` = fold(sentence), tokens = words())."""
        if self.pattern is not None:
            return len(self.pattern.findall(text_lower))
        if not self.cjk or not cjk_tokens:
            return 0
        return self.count_in(WordIndex.build(cjk_tokens))

    def count_in(self, index: WordIndex) -> int:
        # a hit must start and end on jieba word boundaries: "同步" counts in
        # "同步给客户" but "户满" does not count inside "客户满意度".
        kw = self.folded
        n, start = 0, index.joined.find(kw)
        while start >= 0:
            if start in index.bounds and start + len(kw) in index.bounds:
                n += 1
            start = index.joined.find(kw, start + 1)
        return n



@dataclass(frozen=True)
class WordIndex:
    """A sentence's jieba words joined, with the offsets where words start/end."""
    joined: str
    bounds: frozenset

    @staticmethod
    def build(tokens: list[str]) -> WordIndex:
        bounds, pos = {0}, 0
        for tok in tokens:
            pos += len(tok)
            bounds.add(pos)
        return WordIndex("".join(tokens), frozenset(bounds))


def keyword_counts(matchers: list[KeywordMatcher], text_lower: str, tokens: list[str]) -> dict[str, int]:
    """Hits of every keyword in one sentence, computing the word index once."""
    index = WordIndex.build(tokens) if any(m.cjk for m in matchers) else None
    out = {}
    for m in matchers:
        if m.pattern is not None:
            out[m.key] = len(m.pattern.findall(text_lower))
        elif m.cjk and index is not None:
            out[m.key] = m.count_in(index)
        else:
            out[m.key] = 0
    return out


# -- STAR cues ------------------------------------------------------------------
# Situation / task / action / result, Chinese and English. A part counts as
# present when a cue occurs; "action" needs a first-person action, so a story
# told about others does not pass as the candidate's own behaviour.
STAR_CUES: dict[str, re.Pattern] = {
    "situation": re.compile(
        r"(当时|那时|那次|有一次|去年|前年|之前|上一份|以前|期间|的时候|背景|项目中|在我.{0,12}(公司|部门|团队|岗位))"
        r"|\b(when i was|when we|last (year|month|quarter|autumn|spring|summer|winter)|once|at my (last|previous)"
        r"|in my (last|previous)|during|there was|we had|the situation|at the time)\b", re.IGNORECASE),
    "task": re.compile(
        r"(负责|任务|目标|需要|要求|职责|挑战|必须|期限|截止|让我|要在)"
        r"|\b(my (role|job|task|goal|responsibility)|i was (responsible|asked|in charge)|i owned|i had to"
        r"|needed to|had to|the goal|target|deadline|challenge|i took (over|ownership))\b", re.IGNORECASE),
    "action": re.compile(
        r"我(先|首先|就|主动|立即|马上|当场|决定|组织|安排|联系|沟通|制定|推动|带领|提出|把|和|跟|去|找|用|做|列|拉|"
        r"查|分析|请|给|设|定|花|每|又|还|陪|重新|一方面|没有急|提前|判断|接)"
        r"|\bi (first|then|decided|organi[sz]ed|called|set|created|led|proposed|reached|built|worked|asked|listed|"
        r"pulled|broke|checked|made|went|took|spent|sent|used|explained|agreed|arranged|prepared|ran|gave|"
        r"wrote|analy[sz]ed|compared|tested|moved|coached|delegated|invited|listened|restated|told|raised|"
        r"brought|judged|planned|practised|practiced|volunteered|watched|studied|shadowed|got|let|split)\b", re.IGNORECASE),
    "result": re.compile(
        r"(结果|最终|最后|成功|提升|提高|降低|下降|增长|减少|达到|达成|完成|获得|缩短|节省|恢复|通过|上线|"
        r"%|百分之|[一二两三四五六七八九十]成|表扬|好评|续签)"
        r"|\b(as a result|in the end|eventually|finally|result(ed)?|increased|reduced|improved|achieved|"
        r"saved|delivered|fell|rose|dropped|grew|cut|percent|finished|completed|passed|won|renewed|went live|"
        r"on time|ahead of)\b|\d+\s*%", re.IGNORECASE),
}


def star(text: str) -> dict[str, bool]:
    return {part: bool(rx.search(text)) for part, rx in STAR_CUES.items()}


# -- specificity and passivity cues ------------------------------------------------
# Quantities make a story checkable ("投诉下降了八成", "cut by 40%", "two weeks").
QUANTITY = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:%|percent)?"
    r"|百分之|[一二两三四五六七八九十百千万]+(?:个|位|条|天|周|月|年|小时|分钟|成|倍|场|份|人|家|次|名|项|步|级|米|元|单)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|sixty|seventy|eighty|ninety|hundred|thousand|million|half|double[sd]?|twice)\b", re.IGNORECASE)

# Passive, avoiding or blaming behaviour: the level-1 side of most BARS anchors.
PASSIVITY = re.compile(
    r"(不是我|跟我关系不大|和我没关系|不归我|没办法|没有办法|不太清楚|也不清楚|不知道找谁|反正|不管了|我也不管|推给|"
    r"让他去找|让他自己|直接挂|等.{0,6}(安排|指示|告诉|来教)|一直往后拖|拖到|算了|不太愿意|不愿意|不想|抵触|不习惯|用不上|"
    r"说了也没用|没怎么|没有再联系|没再|不了了之|带不了|太难了|放着)"
    r"|\b(not my (fault|job|problem)|wasn'?t my|isn'?t my|not our (fault|mistake)|their fault|the supplier'?s fault"
    r"|i couldn'?t|i could not|i don'?t know|i didn'?t (check|tell|mention|look|really)|never really|not really"
    r"|no idea|just waited|wait until|kept putting|putting it off|put it off|resist(ed)?|didn'?t see why"
    r"|stopped (sharing|discussing)|let people figure|too hard|let it go|left it)\b", re.IGNORECASE)


# Behaviour verbs: what a candidate can be seen to *do*. Counted per clause, so
# Chinese clauses that drop the subject ("当场改走加急，把单号同步给仓库") and
# English lists ("called him, checked the data and agreed a plan") both count.
ACTION_VERBS = re.compile(
    r"(听|倾听|复述|确认|联系|同步|通知|告知|解释|说明|道歉|安排|协调|组织|推动|推进|跟进|回访|回电|"
    r"拆|分解|分类|统计|分析|定位|排查|对比|比较|验证|测试|试点|模拟|调整|修复|回滚|制定|设定|定了|列|"
    r"排|优先|识别|预留|准备|申请|争取|沟通|商量|达成|约|请教|学习|练习|实践|复盘|总结|整理|分享|培训|"
    r"辅导|带|授权|分工|支援|帮|借|改|换|加急|上线|交付|提交|谈|拉了|查|找|建立|设计|写)"
    r"|\b(listen\w*|restat\w*|confirm\w*|call\w*|contact\w*|updat\w*|inform\w*|explain\w*|apologi\w*|"
    r"arrang\w*|coordinat\w*|organi[sz]\w*|push\w*|follow\w* up|review\w*|split|broke|break\w*|"
    r"sort\w*|group\w*|analy[sz]\w*|pull\w*|compar\w*|test\w*|pilot\w*|simulat\w*|adjust\w*|fix\w*|"
    r"roll\w* back|rolled|plan\w*|set|sets|listed|list\w*|prioriti[sz]\w*|spott\w*|prepar\w*|negotiat\w*|"
    r"agree\w*|ask\w*|learn\w*|practi[sc]\w*|reflect\w*|wrote|writ\w*|shar\w*|train\w*|coach\w*|"
    r"delegat\w*|mentor\w*|pair\w*|cover\w*|help\w*|lent|support\w*|chang\w*|re-?ship\w*|ship\w*|"
    r"deliver\w*|launch\w*|check\w*|found|find\w*|built|build\w*|design\w*|reduc\w*|rais\w*|escalat\w*|"
    r"propos\w*|introduc\w*|invit\w*|ran|run|led|lead\w*|gave|giv\w*|reset|moved|mov\w*|decid\w*)\b",
    re.IGNORECASE)
_ACTION_CLAUSE_SPLIT = re.compile(r"[，,；;。.!！?？、：:]|\band\b|\bthen\b|然后|并且|并|同时|再")


def action_clauses(text: str) -> int:
    """Clauses that describe a behaviour (any subject; passivity is counted apart)."""
    return sum(1 for clause in _ACTION_CLAUSE_SPLIT.split(text)
               if clause.strip() and ACTION_VERBS.search(clause))
