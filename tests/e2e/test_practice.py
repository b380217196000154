"""Scored practice in the browser: a candidate of their own answers a practice question
with the keyboard, sees per-competency scores and the sentences that counted from the
real worker, tries again and sees both attempts and the change in the history."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import func, select

from portal import models, routes
from portal.services.interviews import consent
from portal.services.platform import db
from tests.e2e.accounts import new_candidate_with_interview, sign_in, wait_hydrated

FIRST = "我觉得客户很重要，要多沟通。"
BETTER = ("去年双十一期间，我负责的一位大客户因为物流延误非常不满。我的任务是挽回这个客户。"
          "我先耐心倾听并复述确认了他的核心诉求，然后当天同步物流和仓库团队，制定了补发方案，每天向客户更新进度。"
          "最终订单在两天内送达，客户续签了下一年的合同。")


def _candidate(portal, *, consented: bool) -> tuple[str, int]:
    email, interview_id = new_candidate_with_interview(portal)
    with db.session_scope(portal.db_url) as s:
        user = s.exec(select(models.User).where(models.User.email == email)).one()
        if consented:
            consent.grant(s, user, consent.current_version(s))
        return email, user.id


def _open_practice(page, portal) -> None:
    page.goto(portal.url + routes.CANDIDATE_PRACTICE)
    wait_hydrated(page)
    expect(page.locator("#page-title")).to_have_text("练习")


def test_practice_feedback_retry_and_history(page, portal, portal_services, secrets):
    email, user_id = _candidate(portal, consented=True)
    with db.session_scope(portal.db_url) as s:
        interview = s.exec(select(models.Interview).where(models.Interview.candidate_id == user_id)).one()
        bank = s.exec(select(models.Question).where(models.Question.job_id == interview.job_id,
                                                    models.Question.is_practice)
                      .order_by(models.Question.position)).all()
        real = s.exec(select(models.Question.text_zh).where(models.Question.job_id == interview.job_id,
                                                            models.Question.is_practice.is_(False))).all()
        competencies = s.exec(select(func.count()).select_from(models.Competency)
                              .where(models.Competency.model_id == interview.model_id)).one()
    sign_in(page, portal, email, email, secrets)
    _open_practice(page, portal)

    # the job's practice bank, never the real interview questions
    rows = page.locator(".practice-question")
    expect(rows).to_have_count(len(bank))
    expect(rows.first).to_contain_text(bank[0].text_zh)
    for text in real:
        expect(page.get_by_text(text)).to_have_count(0)

    # the keyboard alone: start the first question, and the answer field has the focus
    page.locator("#practice-start-0").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#practice-question")).to_have_text(bank[0].text_zh)
    expect(page.locator("#practice-answer")).to_be_focused()
    # the timer counts down from the question's limit (2 minutes for this one)
    timer = page.locator("#practice-timer-value")
    expect(timer).to_have_text(re.compile(r"^(2:00|1:5\d)$"))
    before = timer.inner_text()
    expect(timer).not_to_have_text(before, timeout=5_000)

    # an empty answer: the message is next to the field, and nothing is saved
    page.keyboard.press("Tab")
    expect(page.locator("#practice-submit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#practice-answer-error")).to_contain_text("请先输入您的回答")
    expect(page.locator("#practice-answer")).to_have_attribute("aria-invalid", "true")

    # typed, submitted, scored by the real worker within seconds
    page.locator("#practice-answer").press_sequentially(FIRST)
    page.click("#practice-submit")
    feedback = page.locator("#practice-feedback")
    expect(feedback).to_be_visible(timeout=20_000)
    expect(page.locator("#practice-answer-error")).to_have_text("")
    expect(page.locator(".practice-competency")).to_have_count(competencies)
    expect(page.locator(".practice-score").first).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#practice-tip")).not_to_have_text("")
    expect(page.locator("#practice-overall")).to_have_text(re.compile(r"^\d+$"))
    first_overall = int(page.locator("#practice-overall").inner_text())

    # retry: the text stays to be improved, the timer starts again
    page.click("#practice-retry")
    expect(feedback).to_have_count(0)
    expect(page.locator("#practice-answer")).to_have_value(FIRST)
    expect(page.locator("#practice-answer")).to_be_focused()
    page.fill("#practice-answer", BETTER)
    page.click("#practice-submit")
    expect(feedback).to_be_visible(timeout=20_000)
    # the sentences that counted are the candidate's own
    evidence = page.locator(".practice-evidence")
    expect(evidence.first).to_be_visible()
    assert all(e.strip("。") in BETTER for e in evidence.all_inner_texts())
    second_overall = int(page.locator("#practice-overall").inner_text())

    # the same text again at once is refused with a message, and changes nothing
    page.click("#practice-retry")
    page.click("#practice-submit")
    expect(page.locator("#practice-answer-error")).to_contain_text("完全相同")

    # history: both attempts of the question, newest first, with the change between them
    entry = page.locator(".practice-history-question")
    expect(entry).to_have_count(1)
    expect(entry.locator(".practice-attempt")).to_have_count(2)
    change = second_overall - first_overall
    expect(entry.locator(".practice-improvement")).to_contain_text(
        f"从 {first_overall} 分到 {second_overall} 分（{'+' if change >= 0 else '−'}{abs(change)}）")
    expect(entry.locator(".practice-attempt").first).to_contain_text("第 2 次")
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(func.count()).select_from(models.Answer)
                      .where(models.Answer.user_id == user_id)).one() == 2

    # at phone width the feedback and the history fit
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_timeout(300)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_without_consent_the_answer_is_not_saved_and_the_page_links_to_consent(page, portal, secrets):
    email, user_id = _candidate(portal, consented=False)
    sign_in(page, portal, email, email, secrets)
    _open_practice(page, portal)
    expect(page.locator("#practice-consent-needed")).to_be_visible()
    page.click("#practice-start-1")
    page.fill("#practice-answer", BETTER)
    page.click("#practice-submit")
    expect(page.locator("#practice-answer-error")).to_contain_text("同意")
    link = page.locator("#practice-answer-error #practice-consent-link")
    expect(link).to_have_attribute("href", routes.CANDIDATE_CONSENT)
    with db.session_scope(portal.db_url) as s:
        assert s.exec(select(func.count()).select_from(models.Answer)
                      .where(models.Answer.user_id == user_id)).one() == 0
