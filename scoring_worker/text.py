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
# a full stop ends a sentence unless it ends a title or a common abbreviation
_SENT_END = re.compile(r"(?<=[。！？!?；;])|(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)"
                       r"(?<!\bvs\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<=\.)(?=\s)|\n+")
_CLAUSE = re.compile(r"(?<=[，,：:])")
MAX_SENTENCE_CHARS = 120  # a piece without any comma is cut hard past this
# A sentence longer than this is cut at commas into pieces of at most this size,
# so that the encoder compares clause-sized pieces with the anchors' clauses.
# Measured in Latin letters, one CJK character counting 4: the encoder's tokens
# per character (about 0.9 for Chinese, 0.24 for English), so 60 is about 14
# tokens in either language. A Chinese sentence carries about twice the tokens of
# an English one (median 30 vs 16 in the development answers): with a cut by
# characters alone (bars-2: 120) Chinese answers were compared sentence by
# sentence and English ones nearly clause by clause.
MAX_PIECE_UNITS = 60


def _units(s: str) -> int:
    return len(s) + 3 * len(_CJK.findall(s))


def split_sentences(text: str) -> list[str]:
    return [piece for piece, _ in split_sentences_with_parent(text)]


def split_sentences_with_parent(text: str) -> list[tuple[str, int]]:
    """Sentence pieces and the index of the full sentence each came from.

    A sentence over MAX_PIECE_UNITS is cut at commas (and a run-on transcript
    without commas between words); the parent index lets callers judge the whole
    sentence (e.g. whether it is a keyword list) rather than a fragment.
    """
    out: list[tuple[str, int]] = []
    parent = -1
    for raw in _SENT_END.split(text):
        s = raw.strip()
        if not s or not _WORD_CHAR.search(s):
            continue
        parent += 1
        if _units(s) <= MAX_PIECE_UNITS:
            out.append((s, parent))
            continue
        buf = ""
        for clause in _CLAUSE.split(s):
            if buf and _units(buf) + _units(clause) > MAX_PIECE_UNITS:
                out.append((buf.strip(), parent))
                buf = ""
            buf += clause
        # no commas at all: cut hard so the encoder still sees sentence-sized text
        while len(buf) > MAX_SENTENCE_CHARS:
            cut = buf.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS)  # not inside a word
            cut = cut if cut > 0 else MAX_SENTENCE_CHARS
            out.append((buf[:cut].strip(), parent))
            buf = buf[cut:]
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


# -- cue lexicons ----------------------------------------------------------------
# Where these words come from (none is taken from a labelled answer):
# - STAR: the situation / task / action / result structure of behavioural
#   interview guidance (e.g. DDI's Targeted Selection, university career-centre
#   guides): a situation is a specific past moment, a task a responsibility or
#   goal, an action something the speaker did ("I" + verb), a result an outcome.
# - Behaviour verbs: common workplace action verbs of resume/interview guides,
#   plus the verbs the competency anchors themselves use (listen, confirm,
#   inform, analyse, plan, delegate, coach, learn, share...).
# - Passivity: the behaviour families that level-1 anchors of any BARS describe:
#   shifting blame, waiting to be told, giving up, putting off, refusing or
#   complaining, not telling anyone, not knowing.
# - "False STAR" statements (DDI's term): opinions, habits and hypotheticals
#   ("I always...", "I believe...", "我一般...") describe no specific behaviour,
#   so they carry no evidence.

_EN_PAST = (r"(?:first|then|also|immediately|personally|quickly|finally|just|"
            r"[a-z]+ed|made|took|went|sent|spent|gave|got|wrote|ran|led|built|broke|found|"
            r"told|brought|set|split|met|put|kept|held|chose|drew|saw|thought|heard|left|"
            r"paid|sold|taught|caught|bought|began|drove|rang|spoke|understood|let|cut|won|"
            r"stood|sat|flew|rewrote|redid|rebuilt|overcame|undertook)")

STAR_CUES: dict[str, re.Pattern] = {
    # a specific time or place in the past
    "situation": re.compile(
        r"(当时|那时|那次|有一次|有一回|去年|前年|上个?月|上周|上半年|下半年|之前在|以前在|在上一|"
        r"期间|的时候|那年|刚入职|刚加入|[0-9一二两三四五六七八九十]+年前|(?:19|20)\d\d年)"
        r"|\b(last (?:year|month|week|quarter|spring|summer|autumn|fall|winter)|(?:a|two|three|few) "
        r"(?:years?|months?|weeks?) ago|when i (?:was|worked|joined|started)|once|one (?:day|time)"
        r"|at my (?:last|previous|first)|in my (?:last|previous|first)|during|in (?:19|20)\d\d"
        r"|at the time|back then)\b", re.IGNORECASE),
    # a responsibility, goal or constraint
    "task": re.compile(
        r"(负责|任务|目标|职责|要求我|需要我|让我|交给我|我要|我需要|我得|挑战|期限|截止|指标|考核)"
        r"|\b(my (?:role|job|task|goal|aim|responsibility|target)|i was (?:responsible|asked|in charge|tasked|"
        r"assigned|expected)|i (?:had|needed|was supposed) to|the (?:goal|target|deadline|task|aim) was"
        r"|deadline|target|challenge)\b", re.IGNORECASE),
    # the speaker acting: "我" + a verb-led clause, "I" + a past-tense verb
    "action": re.compile(
        r"我(?:先|首先|就|便|又|还|再|也|马上|立刻|立即|主动|当场|亲自|随后|接着|于是|决定|开始|"
        r"[把跟和与向给对用找去请让带约拿做写查问看打发提列定排改建设讲说听])"
        r"|\bi " + _EN_PAST + r"\b", re.IGNORECASE),
    # an outcome
    "result": re.compile(
        r"(结果|最终|最后|后来|终于|成功|提升|提高|降低|下降|增长|增加|减少|达到|达成|完成|实现|获得|"
        r"缩短|节省|恢复|解决了|通过了|上线|%|百分之|[一二两三四五六七八九十]成|表扬|好评|认可|满意)"
        r"|\b(as a result|in the end|eventually|finally|in the result|result(?:ed|s)?|outcome"
        r"|increased|reduced|improved|achieved|saved|delivered|fell|rose|dropped|grew|doubled|halved"
        r"|percent|completed|finished|solved|resolved|passed|won|went live|launched|on time|ahead of"
        r"|thanked|praised|happy|satisfied)\b|\d+\s*%", re.IGNORECASE),
}


def star(text: str) -> dict[str, bool]:
    return {part: bool(rx.search(text)) for part, rx in STAR_CUES.items()}


# Quantities make a story checkable: digits, Chinese numerals with a measure
# word (the common classifiers of any Chinese grammar), English number words.
QUANTITY = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:%|percent)?"
    r"|百分之|[一二两三四五六七八九十百千万几]+(?:个|位|名|人|条|件|项|次|回|遍|场|份|张|台|套|家|所|"
    r"天|日|周|星期|月|季度|年|小时|钟头|分钟|秒|倍|成|级|步|轮|批|单|笔|元|块|万|米|公里|页|行|种|类|"
    r"点|组|队|层|部|本)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    r"|hundred|thousand|million|billion|dozen|half|double[sd]?|twice|triple[sd]?)\b", re.IGNORECASE)

# Level-1 behaviour families (see the header): blame, waiting, giving up,
# putting off, refusing/complaining, not informing, not knowing/helplessness.
PASSIVITY = re.compile(
    r"(推卸|推给|推脱|甩锅|怪(?:他|她|他们|别人|对方|客户|同事|公司|系统)|归咎|不是我的(?:问题|责任|错)|不关我|"
    r"与我无关|和我(?:没|无)关|跟我(?:没|无)关|"
    r"等(?:着)?(?:别人|领导|上级|主管|经理|通知|指示|安排|答复|消息)|等人来|"
    r"放弃|退缩|算了|不了了之|不管了|没管|没理|不理|回避|躲|"
    r"拖延|一直拖|往后拖|拖了|"
    r"不愿意?|不想|抗拒|抵触|抱怨|发牢骚|"
    r"没(?:有)?(?:告诉|通知|同步|说|汇报|联系|回复|跟进)|"
    r"不知道|不清楚|不太懂|没办法|没有办法|无能为力)"
    r"|\b(not my (?:fault|job|problem|responsibility)|(?:was|is)n'?t my (?:fault|job|problem)"
    r"|(?:their|his|her|the \w+'?s?) fault|blam\w*|wait(?:ed|ing)? (?:for|until)|gave up|give up"
    r"|let it (?:go|slide|drop)|ignor\w*|put (?:it )?off|putting (?:it )?off|procrastinat\w*"
    r"|refus\w*|resist\w*|complain\w*|didn'?t (?:tell|inform|update|reply|follow|call|bother|know)"
    r"|never (?:told|heard|replied|followed)|no idea|don'?t know|not sure|nothing i could do"
    r"|couldn'?t do anything|not really)\b", re.IGNORECASE)


# Behaviour verbs, counted per clause so that Chinese clauses without a
# subject and English lists of actions both count.
_ZH_ACTIONS = (
    r"听|倾听|复述|确认|询问|提问|追问|了解|联系|通知|告知|告诉|同步|汇报|反馈|解释|说明|道歉|安抚|"
    r"安排|协调|组织|推动|推进|跟进|回访|回电|对接|沟通|商量|协商|谈判|说服|"
    r"拆解|分解|分析|统计|梳理|调查|排查|定位|对比|比较|验证|测试|试点|评估|调整|修复|优化|改进|"
    r"制定|设定|规划|计划|列出|排定|识别|预判|准备|申请|争取|授权|分工|分配|辅导|指导|培训|带领|激励|"
    r"学习|请教|练习|实践|复盘|总结|整理|分享|记录|帮助|支持|配合|提出|建议|设计|建立|搭建|开发|"
    r"交付|提交|上线|解决|处理|完成|决定|检查|核对|监控|追踪")
_EN_ACTIONS = (
    r"listen\w*|heard|ask\w*|restat\w*|paraphras\w*|confirm\w*|clarif\w*|call\w*|phon\w*|rang|"
    r"contact\w*|email\w*|inform\w*|told|tell\w*|updat\w*|explain\w*|apologi[sz]\w*|reassur\w*|"
    r"arrang\w*|coordinat\w*|organi[sz]\w*|follow\w* up|followed|negotiat\w*|persuad\w*|agree\w*|"
    r"analy[sz]\w*|investigat\w*|diagnos\w*|compar\w*|test\w*|pilot\w*|measur\w*|review\w*|adjust\w*|"
    r"fix\w*|improv\w*|plan\w*|prioriti[sz]\w*|schedul\w*|identif\w*|prepar\w*|delegat\w*|assign\w*|"
    r"coach\w*|mentor\w*|train\w*|motivat\w*|learn\w*|studi\w*|practi[sc]\w*|reflect\w*|document\w*|"
    r"shar\w*|help\w*|support\w*|propos\w*|suggest\w*|design\w*|buil[dt]\w*|set up|creat\w*|develop\w*|"
    r"deliver\w*|submit\w*|launch\w*|solv\w*|resolv\w*|handl\w*|decid\w*|check\w*|monitor\w*|track\w*|"
    r"visit\w*|met|meet\w*|wrote|writ\w*|led|lead\w*|ran|moved|booked|logged|record\w*")
ACTION_VERBS = re.compile(rf"({_ZH_ACTIONS})|\b({_EN_ACTIONS})\b", re.IGNORECASE)
# A behaviour verb under a negation ("没告诉", "不听", "didn't call back") is the
# behaviour NOT done, which is what every level-1 anchor describes ("不倾听",
# "不同步信息", "不主动告知", "does not listen"): it counts as passivity, not as
# an action. "不断/不停/不仅..." are not negations; "不得不" (had to) is the opposite.
NEGATED_ACTION = re.compile(
    rf"(?:没有?|未|从不|(?<!不得)不(?!断|停|仅|但|少|久|错|同|管|论|过|然|如|是|得不))"
    rf"(?:怎么|太|再|及时|主动|认真|去|人)?(?:{_ZH_ACTIONS})"
    rf"|\b(?:didn'?t|did not|never|nobody|no one|wasn'?t|was not)\s+(?:\w+ly\s+)?(?:{_EN_ACTIONS})\b",
    re.IGNORECASE)
_ACTION_CLAUSE_SPLIT = re.compile(r"[，,；;。.!！?？、：:]|\band\b|\bthen\b|然后|并且|并|同时|再")


def passive_statements(text: str) -> int:
    """Passive or blaming statements plus behaviours explicitly not done (counted once each)."""
    return len(PASSIVITY.findall(text)) + len(NEGATED_ACTION.findall(PASSIVITY.sub("|", text)))


def action_clauses(text: str) -> int:
    """Clauses that describe a behaviour done (any subject; passivity is counted apart)."""
    text = NEGATED_ACTION.sub("|", text)
    return sum(1 for clause in _ACTION_CLAUSE_SPLIT.split(text)
               if clause.strip() and ACTION_VERBS.search(clause))


# "False STAR" statements: opinions, habits, hypotheticals and self-praise.
GENERIC = re.compile(
    r"(我(?:非常|很|比较|特别|也|都|还)?(?:一直|总是|始终|向来|从来|通常|一般|往往|平时|每次都|都会|会尽量|"
    r"相信|认为|觉得|坚持|是一个|是个|善于|擅长|的优点|的优势|最大的)|(?<![说诉应诺])我(?:都|也|还)?会|"
    r"无论|不管遇到|"
    r"如果遇到|如果是我)"
    r"|\b(i (?:(?:have|'ve) always|always|usually|normally|generally|typically|tend to|never|believe|think|"
    r"feel|consider|(?:\w+ly )?(?:follow|listen|make sure|try|keep|put|treat|focus|care|love|enjoy|like)\b|"
    r"am (?:a|an|very|good|great|known|always|the kind)|'m (?:a|an|very|good|great)|pride)"
    r"|whatever|whenever i|no matter|if i (?:were|was|had|face|get)|my (?:colleagues|friends|"
    r"managers?) (?:often|always) say|my (?:greatest|biggest|main) strength)\b", re.IGNORECASE)


def is_generic(sentence: str) -> bool:
    """An opinion, habit or hypothetical rather than a specific past behaviour."""
    return bool(GENERIC.search(sentence))


# -- fairness: what the encoder must not weigh ------------------------------------
# Names, gender and places say nothing about a competency, but a sentence
# encoder's vectors move with them. The encoder therefore sees each sentence
# with them replaced by neutral words; the quoted evidence keeps the original.
# Chinese: he/she pronouns share one form (他), a surname with a title or kinship
# word becomes 对方, jieba's place-name words (tag "ns") become 某地.
# English: he/she/his/her become they/their, a title and the name after it, and
# capitalised words inside a sentence (names, places) become a neutral word.
# the most common Chinese surnames (the head of the Baijiaxing list)
_ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
                "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
                "邵万钱严覃武戴莫孔向汤")
_ZH_TITLE = re.compile(
    rf"(?:姓[{_ZH_SURNAMES}]的?|[{_ZH_SURNAMES}])(?:先生|女士|小姐|太太|阿姨|叔叔|大爷|大妈|大姐|大哥|"
    rf"经理|总监|老师|师傅|医生|律师|姐|哥)"
    rf"|[小老][{_ZH_SURNAMES}](?=[，,。、的说也和跟他她这那在让把给就还都]|$)")
_ZH_PRONOUN = str.maketrans({"她": "他"})
_ZH_KIN = re.compile(r"儿子|女儿|丈夫|妻子|老公|老婆")
_EN_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Madam)\.?\s+[A-Z][\w'’-]*")
# him/his/her all become "them" so that "his report" and "her report" read the same
_EN_PRONOUNS = {"he": "they", "she": "they", "him": "them", "his": "them", "her": "them",
                "hers": "theirs",
                "himself": "themselves", "herself": "themselves", "man": "person",
                "woman": "person", "gentleman": "person", "lady": "person", "mr": "", "mrs": "",
                "ms": "", "miss": "", "husband": "partner", "wife": "partner", "son": "child",
                "daughter": "child", "boy": "child", "girl": "child"}
_EN_WORD = re.compile(r"\b[A-Za-z][\w'’-]*")
_ZH_PLACES: frozenset[str] | None = None


# Provincial-level divisions, their capitals and the largest other cities (PRC
# administrative divisions); jieba's own "ns" tag is too loose to use alone.
_ZH_PLACE_LIST = frozenset("""北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北
    湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 石家庄 太原 沈阳 长春
    哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州 海口 成都 贵阳 昆明 西安 兰州 西宁 呼和浩特 南宁
    拉萨 银川 乌鲁木齐 深圳 厦门 青岛 大连 宁波 苏州 无锡 东莞 佛山 珠海 温州 常州 南通 徐州 烟台 泉州""".split())
_ZH_PLACE_SUFFIX = tuple("省市县区州镇村乡岛")


def _zh_places() -> frozenset[str]:
    """The list above plus jieba dictionary place words (tag ns) with a place suffix."""
    global _ZH_PLACES
    if _ZH_PLACES is None:
        jieba = load_jieba()
        import jieba as jieba_module
        places = set(_ZH_PLACE_LIST)
        with open(os.path.join(os.path.dirname(jieba_module.__file__), "dict.txt"),
                  encoding="utf-8") as fh:
            for line in fh:
                if line.endswith(" ns\n"):
                    word = line.split(" ", 1)[0]
                    if len(word) >= 2 and word.endswith(_ZH_PLACE_SUFFIX) and word in jieba.FREQ:
                        places.add(word)
        _ZH_PLACES = frozenset(places)
    return _ZH_PLACES


def neutralise(sentence: str) -> str:
    """The sentence as the encoder should see it: no names, gender or places."""
    if _CJK.search(sentence):
        text = _ZH_KIN.sub("家人", _ZH_TITLE.sub("对方", sentence)).translate(_ZH_PRONOUN)
        places = _zh_places()
        toks = load_jieba().lcut(text, HMM=False)
        text = "".join("某地" if t in places else t for t in toks)
        return _en_neutral(text)
    return _en_neutral(sentence)


def _en_neutral(text: str) -> str:
    text = _EN_TITLE.sub("the person", text)
    out, pos, first = [], 0, True
    for m in _EN_WORD.finditer(text):
        word = m.group(0)
        low = word.lower()
        before = text[pos:m.start()]
        out.append(before)
        if re.search(r"[.!?]\s*$", before):
            first = True
        if low in _EN_PRONOUNS:
            rep = _EN_PRONOUNS[low]
        elif (not first and word[0].isupper() and not word.isupper()
              and not re.match(r"I['’]", word)):  # "I'm", "I've" are not names
            rep = "Sam"  # a name or place inside the sentence
        else:
            rep = word
        if rep and word[0].isupper() and rep[0].islower() and first:
            rep = rep[0].upper() + rep[1:]
        out.append(rep)
        pos, first = m.end(), False
    out.append(text[pos:])
    return re.sub(r"\s{2,}", " ", "".join(out)).strip()
