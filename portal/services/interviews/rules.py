"""HR's decision rules for a job (issue 12 · rules): "overall ≥ 80" or
"communication ≥ 85 AND 客户导向 ≥ 70" → advance (or reject).

- Parsing is a small recursive-descent parser over a fixed grammar, never eval:
      rule       := and_group (("OR" | "或") and_group)*
      and_group  := factor (("AND" | "且") factor)*
      factor     := "(" rule ")" | comparison
      comparison := name (≥ | >= | > | ≤ | <= | < | =) number      number: 0 to 100
  A name is ``overall`` / ``总分`` or a competency of the job's current model, by its
  key or its Chinese or English name (case, spaces, "_" and "-" ignored). A rule that
  does not parse gets a translated message that says where (character n) and what.
- Versions: a rule's versions share ``rule_no``. A draft is edited in place; editing a
  rule that has been active adds a new draft version, and the version in force stays
  active until the new one is activated. Firings keep the version they used.
- A version is activated only after its preview against the job's past scored
  interviews ("would have advanced 2 of 7").
- Firing: once every answer of a completed interview is scored (the scoring
  dispatcher calls ``fire_for_answer`` in the transaction that stores a score), each
  active rule of the job is evaluated on the numbers as the report shows them
  (rounded); each rule met is recorded as a RuleFiring proposing its action.
- Nothing moves a candidate on a rule alone (PIPL art. 24): a person with
  DECISION_CONFIRM confirms or overrides each firing (an override with a reason), and
  only then does the candidate's report show the decision.

Every change is audited. Nothing here imports reflex.
"""

from __future__ import annotations

import re
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, update
from sqlmodel import select

from portal import models
from portal.models import aware
from portal.services.accounts import access
from portal.services.platform import audit, db
from portal.services.platform.content_cache import ContentCache
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_, format_number, gettext, pick
from portal.services.reports import scores

ADVANCE, REJECT = "advance", "reject"
ACTIONS = (ADVANCE, REJECT)
DRAFT, ACTIVE, INACTIVE, SUPERSEDED = "draft", "active", "inactive", "superseded"
PENDING, CONFIRMED, OVERRIDDEN = "pending", "confirmed", "overridden"
OVERALL = "overall"
MAX_CHARS, MAX_COMPARISONS, MAX_DEPTH = 500, 20, 8
REASON_MIN, REASON_MAX = 10, 1000

# what the parser says, each pointing at the problem
EMPTY = N_("Write a rule, for example: overall ≥ 80 AND communication ≥ 85.")
TOO_LONG = N_("A rule has at most {max} characters.")
TOO_MANY = N_("A rule compares at most {max} numbers.")
TOO_DEEP = N_("Too many nested parentheses (at most {max}).")
BAD_CHARACTER = N_("Character {at} (\"{near}\") cannot be used in a rule.")
EXPECTED_NAME = N_("Expected overall (总分) or a competency at character {at}, found \"{near}\".")
EXPECTED_NAME_END = N_("The rule ends where overall (总分) or a competency is expected.")
UNKNOWN_NAME = N_("\"{name}\" (character {at}) is not a competency of this position. Use overall (总分) or: {names}.")
EXPECTED_OPERATOR = N_("Expected a comparison (≥ > ≤ < =) after \"{name}\" at character {at}.")
EXPECTED_NUMBER = N_("Expected a number from 0 to 100 at character {at}.")
NUMBER_RANGE = N_("{number} at character {at} is not between 0 and 100.")
EXPECTED_CONNECTOR = N_("Expected AND, OR or the end of the rule at character {at}, found \"{near}\".")
UNCLOSED = N_("A parenthesis opened at character {at} is not closed.")
UNOPENED = N_("The \")\" at character {at} closes no parenthesis.")
# other refusals
UNKNOWN_JOB = N_("Choose an existing position.")
NO_MODEL = N_("This position has no competency model yet.")
BAD_ACTION = N_("Choose what the rule proposes: advance or reject.")
UNKNOWN_RULE = N_("This rule does not exist.")
NOT_LATEST = N_("Only the latest version of a rule can be changed.")
UNCHANGED = N_("The rule is unchanged.")
PREVIEW_FIRST = N_("Preview this version against past interviews before activating it.")
ALREADY_ACTIVE = N_("This version is already active.")
NOT_ACTIVE = N_("This version is not active.")
SUPERSEDED_VERSION = N_("A newer version of this rule exists: activate that one instead.")
UNKNOWN_FIRING = N_("This decision does not exist.")
DECIDED_ALREADY = N_("This decision has been taken already.")
REASON_SHORT = N_("Give the reason for overriding the rule (at least {min} characters).")
REASON_LONG = N_("The reason is too long: at most {max} characters.")

ACTION_NAMES = {ADVANCE: N_("advance to the next round"), REJECT: N_("reject")}
OVERALL_NAME = N_("overall")

_OPERATORS = {"≥": ">=", ">=": ">=", "＞＝": ">=", "≧": ">=", ">": ">", "＞": ">",
              "≤": "<=", "<=": "<=", "＜＝": "<=", "≦": "<=", "<": "<", "＜": "<", "=": "=", "＝": "=", "==": "="}
_SHOWN_OPERATOR = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>>=|<=|==|＞＝|＜＝|[≥≤≧≦><=＞＜＝])"
    r"|(?P<open>[(（])|(?P<close>[)）])"
    r"|(?P<conn>[且或]|&&|\|\|)"
    r"|(?P<word>(?:(?![且或])[^\W\d])(?:(?![且或])[\w\-'’·])*)")
_AND_WORDS, _OR_WORDS = {"and", "且", "&&"}, {"or", "或", "||"}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



# ================================================================ parsing


@dataclass(frozen=True)
class Comparison:
    key: str  # "overall" or a competency key
    op: str  # ">=", ">", "<=", "<", "="
    value: float


@dataclass(frozen=True)
class Group:
    kind: str  # "and" | "or"
    parts: tuple


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    at: int  # 1-based character position


def normal(name: str) -> str:
    """A name as it is matched: case, spaces, "_" and "-" do not matter."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ServiceError(BAD_CHARACTER, at=pos + 1, near=text[pos])
        if m.lastgroup != "space":
            out.append(_Tok(m.lastgroup, m.group(), pos + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[_Tok], names: dict[str, str], shown_names: list[str]):
        self.toks, self.i, self.names, self.shown = tokens, 0, names, shown_names
        self.comparisons = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def connector(self, words: set[str]) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind in ("conn", "word") and tok.text.casefold() in words:
            self.i += 1
            return True
        return False

    def rule(self, depth: int):
        parts = [self.and_group(depth)]
        while self.connector(_OR_WORDS):
            parts.append(self.and_group(depth))
        return parts[0] if len(parts) == 1 else Group("or", tuple(parts))

    def and_group(self, depth: int):
        parts = [self.factor(depth)]
        while self.connector(_AND_WORDS):
            parts.append(self.factor(depth))
        return parts[0] if len(parts) == 1 else Group("and", tuple(parts))

    def factor(self, depth: int):
        tok = self.peek()
        if tok is not None and tok.kind == "open":
            if depth >= MAX_DEPTH:
                raise ServiceError(TOO_DEEP, max=MAX_DEPTH)
            self.i += 1
            inner = self.rule(depth + 1)
            close = self.peek()
            if close is None:
                raise ServiceError(UNCLOSED, at=tok.at)
            if close.kind != "close":
                raise ServiceError(EXPECTED_CONNECTOR, at=close.at, near=close.text)
            self.i += 1
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        first = self.peek()
        if first is None:
            raise ServiceError(EXPECTED_NAME_END)
        if first.kind != "word":
            raise ServiceError(EXPECTED_NAME, at=first.at, near=first.text)
        words = []
        while (tok := self.peek()) is not None and tok.kind == "word":
            words.append(tok.text)
            self.i += 1
        name = " ".join(words)
        key = self.names.get(normal(name))
        if key is None:
            raise ServiceError(UNKNOWN_NAME, name=name, at=first.at, names=", ".join(self.shown))
        op = self.peek()
        if op is None or op.kind != "op":
            at = op.at if op is not None else first.at + len(name)
            raise ServiceError(EXPECTED_OPERATOR, name=name, at=at)
        self.i += 1
        number = self.peek()
        if number is None or number.kind != "number":
            raise ServiceError(EXPECTED_NUMBER, at=number.at if number is not None else op.at + len(op.text))
        self.i += 1
        value = float(number.text)
        if not 0 <= value <= 100:
            raise ServiceError(NUMBER_RANGE, number=number.text, at=number.at)
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise ServiceError(TOO_MANY, max=MAX_COMPARISONS)
        return Comparison(key, _OPERATORS[op.text], value)


def name_index(competencies) -> tuple[dict[str, str], list[str]]:
    """(normalised name → key, the names HR may use as shown in messages) for a model's
    competencies (rows with key, name_zh, name_en)."""
    names = {normal("overall"): OVERALL, normal("总分"): OVERALL}
    shown = []
    for c in competencies:
        for label in (c.key, c.name_zh, c.name_en):
            if label:
                names.setdefault(normal(label), c.key)
        shown.append(" / ".join(dict.fromkeys(x for x in (c.key, c.name_zh, c.name_en) if x)))
    return names, shown


def parse(text: str, competencies) -> Comparison | Group:
    """The rule's tree, or ServiceError saying what is wrong and where."""
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ServiceError(EMPTY)
    if len(text) > MAX_CHARS:
        raise ServiceError(TOO_LONG, max=MAX_CHARS)
    names, shown = name_index(competencies)
    parser = _Parser(_tokens(text), names, shown)
    tree = parser.rule(0)
    rest = parser.peek()
    if rest is not None:
        if rest.kind == "close":
            raise ServiceError(UNOPENED, at=rest.at)
        raise ServiceError(EXPECTED_CONNECTOR, at=rest.at, near=rest.text)
    return tree


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def render(tree, name_of=lambda key: key, and_word: str = "AND", or_word: str = "OR") -> str:
    """The tree as text, with each key shown by ``name_of`` (canonical: the keys)."""
    if isinstance(tree, Comparison):
        return f"{name_of(tree.key)} {_SHOWN_OPERATOR[tree.op]} {_number(tree.value)}"
    word = and_word if tree.kind == "and" else or_word
    parts = [f"({render(p, name_of, and_word, or_word)})" if isinstance(p, Group) else
             render(p, name_of, and_word, or_word) for p in tree.parts]
    return f" {word} ".join(parts)


_KeyOnly = namedtuple("_KeyOnly", "key name_zh name_en")


def parse_canonical(canonical: str):
    """The tree of a stored rule (its competencies named by their keys)."""
    keys = {w for w in re.findall(r"[^\W\d][\w\-]*", canonical)} - {"AND", "OR", OVERALL}
    return parse(canonical, [_KeyOnly(k, "", "") for k in sorted(keys)])


def keys_of(tree) -> list[str]:
    if isinstance(tree, Comparison):
        return [tree.key]
    return list(dict.fromkeys(k for p in tree.parts for k in keys_of(p)))


def evaluate(tree, numbers: dict[str, float]) -> bool:
    """Whether ``numbers`` ({"overall": 82, key: score}) meet the rule; KeyError when one is missing."""
    if isinstance(tree, Comparison):
        value = numbers[tree.key]
        return {">=": value >= tree.value, ">": value > tree.value, "<=": value <= tree.value,
                "<": value < tree.value, "=": value == tree.value}[tree.op]
    results = (evaluate(p, numbers) for p in tree.parts)
    return all(results) if tree.kind == "and" else any(results)


def describe(canonical: str, locale: str, names: dict[str, tuple[str, str]]) -> str:
    """The rule in ``locale``: competencies by their names there (``names``: key → (zh, en))."""
    def name_of(key: str) -> str:
        if key == OVERALL:
            return gettext(locale, OVERALL_NAME)
        zh, en = names.get(key, (key, key))
        return pick(locale, zh, en)
    english = locale == "en"
    return render(parse_canonical(canonical), name_of, "AND" if english else "且", "OR" if english else "或")


# ================================================================ numbers of interviews


def interview_numbers(session, interviews: list[models.Interview]) -> dict[int, dict[str, float]]:
    """Per interview with scores: {"overall": n, key: n}, rounded as the report shows them."""
    if not interviews:
        return {}
    scored = scores.interview_scores(session, [i.id for i in interviews])
    weights: dict[int, dict[str, float]] = {}
    for c in session.exec(select(models.Competency).where(
            models.Competency.model_id.in_({i.model_id for i in interviews}))).all():
        weights.setdefault(c.model_id, {})[c.key] = c.weight
    out = {}
    for interview in interviews:
        mine = scores.competency_scores(scored.get(interview.id, []))
        if not mine:
            continue
        numbers = {key: round(value) for key, value in mine.items()}
        numbers[OVERALL] = round(scores.weighted_overall(mine, weights.get(interview.model_id, {})))
        out[interview.id] = numbers
    return out


def _unscored():
    """Ids of interviews with an answer not scored yet."""
    return (select(models.Answer.interview_id)
            .outerjoin(models.AnswerScore, models.AnswerScore.answer_id == models.Answer.id)
            .where(models.Answer.is_practice.is_(False), models.Answer.interview_id.is_not(None),
                   models.AnswerScore.id.is_(None)))


def scored_interviews(session, job_id: int) -> list[models.Interview]:
    """The job's completed interviews whose every answer is scored."""
    return list(session.exec(select(models.Interview).where(
        models.Interview.job_id == job_id, models.Interview.status == "completed",
        models.Interview.id.not_in(_unscored())).order_by(models.Interview.scheduled_at, models.Interview.id)).all())


# ================================================================ rules and versions


def _current_competencies(session, job_id: int) -> list[models.Competency]:
    model = session.exec(select(models.CompetencyModel).where(
        models.CompetencyModel.job_id == job_id, models.CompetencyModel.is_current.is_(True))).first()
    if model is None:
        raise ServiceError(NO_MODEL)
    return list(session.exec(select(models.Competency).where(models.Competency.model_id == model.id)
                             .order_by(models.Competency.position, models.Competency.id)).all())


def competency_names(session, job_id: int) -> dict[str, tuple[str, str]]:
    """key → (Chinese, English) names of the job's current model, for display (from the
    per-process copies: no statement once warm). Checks of a rule read the model itself."""
    from portal.services.interviews import job_config

    model_id = next((j.model_id for j in job_config.job_rows(session) if j.id == job_id), None)
    return {c.key: (c.name_zh, c.name_en) for c in scores.model_competencies(session, model_id)} if model_id else {}


def _job(session, job_id) -> models.Job:
    job = session.get(models.Job, job_id) if isinstance(job_id, int) and not isinstance(job_id, bool) else None
    if job is None:
        raise ServiceError(UNKNOWN_JOB)
    return job


def _rule(session, rule_id) -> models.DecisionRule:
    rule = session.get(models.DecisionRule, rule_id) \
        if isinstance(rule_id, int) and not isinstance(rule_id, bool) else None
    if rule is None:
        raise ServiceError(UNKNOWN_RULE)
    return rule


def _latest_version(session, rule_no: int) -> int:
    return session.exec(select(func.max(models.DecisionRule.version))
                        .where(models.DecisionRule.rule_no == rule_no)).one() or 0


def check(session, job_id: int, expression: str) -> str:
    """The canonical form of ``expression`` for the job (ServiceError when it does not parse)."""
    return render(parse(expression, _current_competencies(session, _job(session, job_id).id)))


def create(session, user, job_id: int, expression: str, action: str, *, ip: str = "") -> models.DecisionRule:
    """A new rule (version 1, a draft) for the job."""
    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    canonical = check(session, job_id, expression)
    if action not in ACTIONS:
        raise ServiceError(BAD_ACTION)
    rule = models.DecisionRule(job_id=job_id, expression=expression.strip(), canonical=canonical, action=action,
                               status=DRAFT, created_by_id=user.id, created_at=utcnow())
    session.add(rule)
    session.flush()
    rule.rule_no = rule.id
    session.add(rule)
    session.flush()
    audit.record(session, "rule.create", actor_id=user.id, actor=user.email or "", object_type="rule",
                 object_id=rule.id, ip=ip)
    return rule


def edit(session, user, rule_id: int, expression: str, action: str, *, ip: str = "") -> models.DecisionRule:
    """Change the latest version: a draft never activated is changed in place; otherwise a
    new draft version is added and the version in force stays active until it is replaced."""
    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    rule = _rule(session, rule_id)
    if rule.version != _latest_version(session, rule.rule_no):
        raise ServiceError(NOT_LATEST)
    canonical = check(session, rule.job_id, expression)
    if action not in ACTIONS:
        raise ServiceError(BAD_ACTION)
    if canonical == rule.canonical and action == rule.action:
        raise ServiceError(UNCHANGED)
    if rule.status == DRAFT and rule.activated_at is None:
        rule.expression, rule.canonical, rule.action = expression.strip(), canonical, action
        rule.previewed_at, rule.preview_matched, rule.preview_total = None, 0, 0
        session.add(rule)
        session.flush()
        audit.record(session, "rule.edit", actor_id=user.id, actor=user.email or "", object_type="rule",
                     object_id=rule.id, ip=ip)
        return rule
    new = models.DecisionRule(job_id=rule.job_id, rule_no=rule.rule_no, version=rule.version + 1,
                              expression=expression.strip(), canonical=canonical, action=action, status=DRAFT,
                              created_by_id=user.id, created_at=utcnow())
    session.add(new)
    session.flush()
    audit.record(session, "rule.version", actor_id=user.id, actor=user.email or "", object_type="rule",
                 object_id=new.id, ip=ip)
    return new


@dataclass
class PreviewRow:
    interview_id: int
    candidate: str
    scheduled_at: datetime
    numbers: dict


@dataclass
class Preview:
    rule_id: int
    matched: list[PreviewRow]
    total: int


def preview(session, user, rule_id: int, *, ip: str = "") -> Preview:
    """Which of the job's past scored interviews the version would have met; recorded on
    the version (activation needs it) and audited (it lists candidates)."""
    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    rule = _rule(session, rule_id)
    tree = parse_canonical(rule.canonical)
    interviews = scored_interviews(session, rule.job_id)
    numbers = interview_numbers(session, interviews)
    people = {u.id: u for u in session.exec(select(models.User).where(
        models.User.id.in_({i.candidate_id for i in interviews}))).all()} if interviews else {}
    matched, total = [], 0
    for interview in interviews:
        mine = numbers.get(interview.id)
        if mine is None:
            continue
        total += 1
        try:
            met = evaluate(tree, mine)
        except KeyError:  # scored on a model without a competency the rule names
            continue
        if met:
            person = people.get(interview.candidate_id)
            matched.append(PreviewRow(interview.id, (person.display_name or person.email) if person else "",
                                      aware(interview.scheduled_at), {k: mine[k] for k in keys_of(tree)}))
    rule.previewed_at, rule.preview_matched, rule.preview_total = utcnow(), len(matched), total
    session.add(rule)
    session.flush()
    audit.record(session, "rule.preview", actor_id=user.id, actor=user.email or "", object_type="rule",
                 object_id=rule.id, ip=ip)
    return Preview(rule.id, matched, total)


def activate(session, user, rule_id: int, *, ip: str = "") -> models.DecisionRule:
    """Put a previewed version in force; the rule's other versions are superseded."""
    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    rule = _rule(session, rule_id)
    if rule.status == ACTIVE:
        raise ServiceError(ALREADY_ACTIVE)
    if rule.version != _latest_version(session, rule.rule_no):
        raise ServiceError(SUPERSEDED_VERSION)
    if rule.previewed_at is None:
        raise ServiceError(PREVIEW_FIRST)
    session.execute(update(models.DecisionRule).where(
        models.DecisionRule.rule_no == rule.rule_no, models.DecisionRule.id != rule.id,
        models.DecisionRule.status != SUPERSEDED).values(status=SUPERSEDED))
    rule.status, rule.activated_by_id, rule.activated_at = ACTIVE, user.id, utcnow()
    session.add(rule)
    session.flush()
    audit.record(session, "rule.activate", actor_id=user.id, actor=user.email or "", object_type="rule",
                 object_id=rule.id, ip=ip)
    return rule


def deactivate(session, user, rule_id: int, *, ip: str = "") -> models.DecisionRule:
    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    rule = _rule(session, rule_id)
    if rule.status != ACTIVE:
        raise ServiceError(NOT_ACTIVE)
    rule.status = INACTIVE
    session.add(rule)
    session.flush()
    audit.record(session, "rule.deactivate", actor_id=user.id, actor=user.email or "", object_type="rule",
                 object_id=rule.id, ip=ip)
    return rule


def jobs(session, user, *, ip: str = "") -> list:
    """Every job (job_config.JobRow, from the per-process copy), by id."""
    from portal.services.interviews import job_config

    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    return sorted(job_config.job_rows(session), key=lambda j: j.id)


@dataclass(frozen=True)
class RuleVersion:
    id: int
    rule_no: int
    version: int
    expression: str
    canonical: str
    action: str
    status: str
    previewed_at: datetime | None
    preview_matched: int | None
    preview_total: int | None
    created_at: datetime


_VERSION_FIELDS = tuple(f for f in RuleVersion.__dataclass_fields__)


def _all_rules(session) -> dict[int, tuple[tuple[RuleVersion, ...], ...]]:
    grouped: dict[int, dict[int, list[RuleVersion]]] = {}
    for row in session.exec(select(models.DecisionRule).order_by(
            models.DecisionRule.rule_no.desc(), models.DecisionRule.version.desc())).all():
        grouped.setdefault(row.job_id, {}).setdefault(row.rule_no, []).append(
            RuleVersion(*(getattr(row, f) for f in _VERSION_FIELDS)))
    return {job_id: tuple(tuple(v) for v in rules.values()) for job_id, rules in grouped.items()}


# Rules and their versions change only by HR's edits (platform/content_cache.py); firing
# and its checks read them from the database.
_RULES = ContentCache("decision_rules", (models.DecisionRule,), _all_rules)


def rules_of_job(session, user, job_id: int, *, ip: str = "") -> tuple[tuple[RuleVersion, ...], ...]:
    """Each rule of the job as its versions, newest first; the newest rules first (from the
    per-process copy)."""
    access.require(user, access.RULE_MANAGE, session=session, ip=ip)
    if not any(j.id == job_id for j in jobs(session, user, ip=ip)):
        raise ServiceError(UNKNOWN_JOB)
    return _RULES.get(session).get(job_id, ())


# ================================================================ firing


def fire_for_answer(session, answer_id: int, *, now: datetime | None = None) -> list[models.RuleFiring]:
    """Called where a score is stored: once the answer's interview is completed and fully
    scored, evaluate the job's active rules on it."""
    answer = session.get(models.Answer, answer_id)
    if answer is None or answer.interview_id is None or answer.is_practice:
        return []
    return fire_for_interview(session, session.get(models.Interview, answer.interview_id), now=now)


def fire_for_interview(session, interview: models.Interview | None, *,
                       now: datetime | None = None) -> list[models.RuleFiring]:
    """Record a firing for each active rule of the job the interview's numbers meet (once
    per rule version and interview). Proposes only: a person decides."""
    if interview is None or interview.status != "completed" or session.exec(
            _unscored().where(models.Answer.interview_id == interview.id)).first() is not None:
        return []
    active = session.exec(select(models.DecisionRule).where(
        models.DecisionRule.job_id == interview.job_id, models.DecisionRule.status == ACTIVE)
        .order_by(models.DecisionRule.id)).all()
    numbers = interview_numbers(session, [interview]).get(interview.id)
    if not active or numbers is None:
        return []
    done = set(session.exec(select(models.RuleFiring.rule_id).where(
        models.RuleFiring.interview_id == interview.id)).all())
    fired = []
    for rule in active:
        if rule.id in done:
            continue
        tree = parse_canonical(rule.canonical)
        try:
            met = evaluate(tree, numbers)
        except KeyError:
            continue  # the interview's model lacks a competency the rule names
        if not met:
            continue
        firing = models.RuleFiring(interview_id=interview.id, rule_id=rule.id, rule_version=rule.version,
                                   numbers={k: numbers[k] for k in keys_of(tree)}, proposed=rule.action,
                                   status=PENDING, fired_at=now or utcnow())
        session.add(firing)
        session.flush()
        audit.record(session, "rule.fire", actor=f"rule {rule.rule_no} v{rule.version}", object_type="interview",
                     object_id=interview.id)
        fired.append(firing)
    return fired


# ================================================================ people decide


@dataclass
class FiringView:
    id: int
    interview_id: int
    candidate: str
    job_zh: str
    job_en: str
    job_id: int
    scheduled_at: datetime
    rule_no: int
    version: int
    canonical: str
    numbers: dict
    proposed: str
    status: str
    outcome: str
    decided_by: str
    decided_at: datetime | None
    reason: str


def _firing_views(session, where, limit: int | None = None) -> list[FiringView]:
    return firing_views_from(session.exec(firing_query(where, limit)).all())


def firing_query(where, limit: int | None = None):
    """Firings with their rule, interview, job, candidate and decider: the oldest first, or
    the ``limit`` latest decided."""
    decider = models.User.__table__.alias("decider")
    query = (select(models.RuleFiring, models.DecisionRule, models.Interview, models.Job, models.User,
                    decider.c.display_name, decider.c.email)
             .join(models.DecisionRule, models.DecisionRule.id == models.RuleFiring.rule_id)
             .join(models.Interview, models.Interview.id == models.RuleFiring.interview_id)
             .join(models.Job, models.Job.id == models.Interview.job_id)
             .join(models.User, models.User.id == models.Interview.candidate_id)
             .outerjoin(decider, decider.c.id == models.RuleFiring.decided_by_id)
             .where(where))
    query = query.order_by(models.RuleFiring.decided_at.desc() if limit else models.RuleFiring.fired_at,
                           models.RuleFiring.id)
    return query.limit(limit) if limit else query


def firing_views_from(rows) -> list[FiringView]:
    return [FiringView(f.id, i.id, c.display_name or c.email, j.title_zh, j.title_en, j.id,
                       aware(i.scheduled_at), r.rule_no, f.rule_version, r.canonical, dict(f.numbers),
                       f.proposed, f.status, f.outcome, (name or email or "") if f.decided_by_id else "",
                       aware(f.decided_at), f.reason)
            for f, r, i, j, c, name, email in rows]


def pending(session, user, *, ip: str = "") -> tuple[list[FiringView], list[FiringView]]:
    """(firings waiting for a person, oldest first; the 20 latest decided), in one statement."""
    access.require(user, access.DECISION_CONFIRM, session=session, ip=ip)
    waiting, decided = map(firing_views_from, db.together(
        session, firing_query(models.RuleFiring.status == PENDING),
        firing_query(models.RuleFiring.status != PENDING, limit=20)))
    audit.record(session, "decision.list", actor_id=user.id, actor=user.email or "", object_type="decision",
                 object_id=len(waiting), ip=ip)
    return waiting, decided


def decide(session, user, firing_id: int, *, confirm: bool, reason: str = "", ip: str = "") -> models.RuleFiring:
    """A person confirms the rule's proposal or overrides it (the other outcome) with a reason."""
    access.require(user, access.DECISION_CONFIRM, session=session, ip=ip)
    firing = session.get(models.RuleFiring, firing_id) \
        if isinstance(firing_id, int) and not isinstance(firing_id, bool) else None
    if firing is None:
        raise ServiceError(UNKNOWN_FIRING)
    text = reason.strip() if isinstance(reason, str) else ""
    if not confirm and len(text) < REASON_MIN:
        raise ServiceError(REASON_SHORT, min=REASON_MIN)
    if len(text) > REASON_MAX:
        raise ServiceError(REASON_LONG, max=REASON_MAX)
    outcome = firing.proposed if confirm else (REJECT if firing.proposed == ADVANCE else ADVANCE)
    won = session.execute(update(models.RuleFiring).where(
        models.RuleFiring.id == firing.id, models.RuleFiring.status == PENDING)
        .values(status=CONFIRMED if confirm else OVERRIDDEN, outcome=outcome, decided_by_id=user.id,
                decided_at=utcnow(), reason=text)).rowcount
    if won != 1:
        raise ServiceError(DECIDED_ALREADY)
    session.refresh(firing)
    audit.record(session, "decision.confirm" if confirm else "decision.override", actor_id=user.id,
                 actor=user.email or "", object_type="decision", object_id=firing.id, ip=ip)
    return firing


def decisions_of(session, interview_id: int) -> list[FiringView]:
    """The decided firings of an interview (what its report shows); the caller has
    checked who may see the report. Pending firings are never shown."""
    return firing_views_from(session.exec(decisions_query(interview_id)).all())


def decisions_query(interview_id: int):
    return firing_query((models.RuleFiring.interview_id == interview_id) & (models.RuleFiring.status != PENDING))


def numbers_words(numbers: dict, locale: str, names: dict[str, tuple[str, str]]) -> str:
    """"overall 82, 沟通能力 86" in ``locale``."""
    parts = []
    for key, value in numbers.items():
        label = gettext(locale, OVERALL_NAME) if key == OVERALL else pick(locale, *names.get(key, (key, key)))
        parts.append(f"{label} {format_number(value, locale)}")
    return ", ".join(parts) if locale == "en" else "，".join(parts)


def action_words(action: str, locale: str) -> str:
    return gettext(locale, ACTION_NAMES.get(action, ACTION_NAMES[ADVANCE]))

