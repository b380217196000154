"""Human review of a score report (issue 10; PIPL art. 24): the candidate asks with a
reason, once at a time; HR's queue; the answer goes to the report and by e-mail in the
candidate's language; only the candidate asks and only HR answers; all audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import AuditEvent, EmailOutbox, ReviewRequest
from portal.services.platform import db
from portal.services.platform.demo import demo_email
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.reports import human_review as H
from portal.services.reports import report


@pytest.fixture
def world(scored_demo):
    return scored_demo


def _count(model, *where) -> int:
    with db.session_scope() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_report_shown_is_recorded_once_and_a_review_is_asked_once_at_a_time(world):
    users, interview_id = world
    with db.session_scope() as s:
        with pytest.raises(ServiceError) as unseen:  # nobody has seen the report yet: nothing to review
            H.ask(s, users["candidate"], interview_id, "请人工再看一下我的回答。")
        assert unseen.value.msgid == H.NOT_A_REPORT
    for _ in range(2):
        with db.session_scope() as s:
            assert report.candidate_report(s, users["candidate"], interview_id).review_status == ""
    with db.session_scope() as s:
        for reason, msgid in (("太短", H.REASON_SHORT), ("字" * (H.REASON_MAX + 1), H.REASON_LONG), (None, H.REASON_SHORT)):
            with pytest.raises(ServiceError) as bad:
                H.ask(s, users["candidate"], interview_id, reason)
            assert bad.value.msgid == msgid
        H.ask(s, users["candidate"], interview_id, "  我认为学习敏锐度的评分没有考虑我第二段的例子。  ")
    with db.session_scope() as s:
        with pytest.raises(ServiceError) as again:
            H.ask(s, users["candidate"], interview_id, "再次申请复核，请再看一下。")
        assert again.value.msgid == H.ALREADY_ASKED
        for role in ("employee", "hr", "interviewer"):  # only the person the report is about asks
            with pytest.raises(PermissionDenied):
                H.ask(s, users[role], interview_id, "替别人申请复核，这不应该被允许。")
        assert report.candidate_report(s, users["candidate"], interview_id).review_status == H.OPEN
    assert _count(ReviewRequest) == 1
    assert _count(AuditEvent, AuditEvent.action == "review.request") == 1


def test_hr_answers_once_and_the_candidate_reads_it_on_the_report_and_by_mail(world):
    users, interview_id = world
    with db.session_scope() as s:
        report.candidate_report(s, users["candidate"], interview_id)
        asked = H.ask(s, users["candidate"], interview_id, "我认为学习敏锐度的评分没有考虑我的例子。").id
    for role in ("candidate", "interviewer", "admin"):
        with db.session_scope() as s, pytest.raises(PermissionDenied):
            H.queue(s, users[role])
        with db.session_scope() as s, pytest.raises(PermissionDenied):
            H.resolve(s, users[role], asked, "不是 HR，不能答复这个申请。")
    with db.session_scope() as s:
        [waiting] = H.queue(s, users["hr"])
        assert waiting.status == H.OPEN and waiting.reason.startswith("我认为") and waiting.title_zh == "产品经理"
        with pytest.raises(ServiceError) as short:
            H.resolve(s, users["hr"], asked, "好")
        assert short.value.msgid == H.RESPONSE_SHORT
        H.resolve(s, users["hr"], asked, "我们重新听了第二段回答，学习敏锐度调整为 65 分，达到岗位要求。")
    with db.session_scope() as s:
        with pytest.raises(ServiceError) as twice:
            H.resolve(s, users["hr_manager"], asked, "第二次答复不应该被接受。")
        assert twice.value.msgid == H.DONE_ALREADY
        shown = report.candidate_report(s, users["candidate"], interview_id)
        assert shown.review_status == H.RESOLVED and "65 分" in shown.review_response
        [mail] = s.execute(select(EmailOutbox).where(EmailOutbox.kind == "review.resolved")).scalars().all()
        assert mail.to_addr == demo_email("candidate") and "产品经理" in mail.subject
        assert "65 分" in mail.body_text and "/candidate/report/" in mail.body_text
        # answered, the candidate may ask again
        H.ask(s, users["candidate"], interview_id, "答复后我还有一个问题想请人工再看。")
    assert _count(AuditEvent, AuditEvent.action == "review.resolve") == 1
