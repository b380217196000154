"""The running portal scores a submitted answer through its own worker process."""

from __future__ import annotations

import time

from sqlmodel import select

from portal import models
from portal.services.platform import db
from portal.services.interviews import consent, scoring_client
from tests.e2e.accounts import new_candidate_with_interview

ANSWER = ("去年双十一期间，一位大客户因为物流延误非常不满。我先耐心倾听，确认了他的核心诉求，"
          "然后当天同步物流和仓库团队，制定了补发方案并每天向客户更新进度。"
          "最终订单在两天内送达，客户续签了合同，我们也把这个流程写进了应急预案。")


def test_a_practice_answer_is_scored_by_the_bundled_worker(portal, portal_services):
    email, _interview = new_candidate_with_interview(portal)
    with db.session_scope(portal.db_url) as s:
        candidate = s.exec(select(models.User).where(models.User.email == email)).one()
        # The dispatcher sends only answers of people who consented.
        consent.grant(s, candidate, consent.current_version(s))
        question = s.exec(select(models.Question).where(models.Question.is_practice)).first()
        answer = scoring_client.submit_answer(s, candidate, question.id, ANSWER, language="zh", is_practice=True)
        answer_id = answer.id
    deadline = time.monotonic() + 60
    status = "pending"
    while time.monotonic() < deadline:
        with db.session_scope(portal.db_url) as s:
            status = scoring_client.scoring_status(s, answer_id, s.get(models.User, candidate.id))
        if status != "pending":
            break
        time.sleep(0.5)
    assert status == "scored"
    with db.session_scope(portal.db_url) as s:
        score = s.exec(select(models.AnswerScore).where(models.AnswerScore.answer_id == answer_id)).one()
        per_competency = s.exec(select(models.CompetencyScore)
                                .where(models.CompetencyScore.answer_id == answer_id)).all()
    assert 0 <= score.overall <= 100 and score.model_version
    assert len(per_competency) >= 5
