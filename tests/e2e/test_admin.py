"""HR invites, an administrator reads the outbox and the audit log, exports it
after re-authenticating, and resets a user's authenticator."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.accounts import next_code, sign_in_demo


def _page(browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_hr_invites_and_admin_sees_the_mail_and_the_audit_trail(browser, portal, secrets, smtp_inbox):
    context, page = _page(browser)
    sign_in_demo(page, portal, "hr", secrets)
    page.goto(portal.url + "/hr/invitations")
    page.fill("#invite-email", "wang.fang@example.cn")
    page.click("#invite-send")
    expect(page.get_by_text("邀请已发送至 wang.fang@example.cn。")).to_be_visible()
    expect(page.locator("#invitations-table")).to_contain_text("wang.fang@example.cn")
    # bad input: a clear message, nothing created
    page.fill("#invite-email", "wang.fang@intranet")
    page.click("#invite-send")
    expect(page.locator("#flash-text")).to_have_text("请输入有效的邮箱地址。")
    expect(page.locator("#invitations-table")).not_to_contain_text("wang.fang@intranet")
    context.close()

    context, page = _page(browser)
    sign_in_demo(page, portal, "admin", secrets)
    # the invitation went out through the real SMTP server, with a working link
    message = smtp_inbox.wait_for("wang.fang@example.cn")
    link = re.search(r"https?://\S+/invite/[\w-]+", message.get_body(("plain",)).get_content()).group(0)
    assert link.startswith(portal.url)
    page.goto(portal.url + "/admin/outbox")
    mail = page.locator(".card, [class*=Card]").filter(has_text="wang.fang@example.cn").first
    expect(mail).to_contain_text("已发送")
    assert link not in mail.inner_text()  # a sent link is not kept
    assert "{" not in mail.inner_text()  # every placeholder was filled

    page.goto(portal.url + "/admin/audit")
    expect(page.locator("#chain-status")).to_contain_text("审计链完整无损")
    expect(page.locator("#audit-table")).to_contain_text("发出邀请")  # words, not the code
    expect(page.locator("#audit-table")).not_to_contain_text("invitation.create")
    # export needs a fresh password + code
    page.click("#export-csv")
    expect(page).to_have_url(re.compile(r"/confirm/?\?"))
    expect(page.locator("#form-error")).to_be_visible()
    page.fill("#f-password", "talent-demo-2026")
    page.fill("#f-code", next_code(secrets, "admin"))
    page.click("#reauth-submit")
    expect(page).to_have_url(re.compile(r"/admin/audit"))
    with page.expect_download() as download:
        page.click("#export-csv")
    csv_text = open(download.value.path(), encoding="utf-8").read()
    assert "action" in csv_text.splitlines()[0].split(",")
    assert "invitation.create" in csv_text

    # reset the candidate's authenticator (re-authenticated above): audited, the user re-enrols
    page.goto(portal.url + "/admin/users")
    row = page.locator("#users-table tr").filter(has_text="candidate@demo.talent.local")
    row.get_by_role("button", name="重置多因素认证").click()
    expect(page.get_by_text("已完成。")).to_be_visible()
    expect(row).to_contain_text("未设置")
    page.goto(portal.url + "/admin/audit")
    # translated, and about the person by name, not "user 6"
    reset_row = page.locator("#audit-table tr").filter(has_text="重置身份验证器").first
    expect(reset_row).to_contain_text("candidate@demo.talent.local")
    expect(reset_row).to_contain_text("成功")
    context.close()


def test_admin_turns_on_self_signup_and_a_candidate_signs_up(browser, portal, secrets, smtp_inbox):
    anon_ctx, anon = _page(browser)
    anon.goto(portal.url + "/login")
    expect(anon.locator("#page-title")).to_have_text("登录")
    expect(anon.locator("#signup-link")).to_have_count(0)  # off by default

    context, page = _page(browser)
    sign_in_demo(page, portal, "admin", secrets)
    page.goto(portal.url + "/admin/users")
    page.click("#self-signup")
    # a sensitive setting: unless the admin re-authenticated in the last 5 minutes, confirm first
    expect(page.locator("#flash-text").or_(page.locator("#reauth-submit"))).to_be_visible()
    if page.locator("#reauth-submit").count():
        page.fill("#f-password", "talent-demo-2026")
        page.fill("#f-code", next_code(secrets, "admin"))
        page.click("#reauth-submit")
        expect(page).to_have_url(re.compile(r"/admin/users"))
        page.click("#self-signup")
    expect(page.locator("#flash-text")).to_have_text("已完成。")
    context.close()

    anon.goto(portal.url + "/login")
    anon.click("#signup-link")
    expect(anon).to_have_url(re.compile(r"/signup"))
    anon.wait_for_load_state("networkidle")
    anon.fill("#f-email", "zhao.lei@example.cn")
    anon.click("#signup-submit")
    expect(anon.locator("#form-notice")).to_have_text("请查收邮件：我们已发送创建账号的链接。")
    body = smtp_inbox.wait_for("zhao.lei@example.cn").get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/invite/[\w-]+", body).group(0)
    anon.goto(link)
    expect(anon).to_have_url(re.compile(r"/welcome/?$"))
    anon_ctx.close()


def test_audit_log_pages_keep_the_filter_and_a_flood_does_not_bury_real_events(browser, portal, secrets):
    from sqlalchemy import text

    from portal.services.platform import audit, db

    # 60 sign-ins of one account, then a flood of 120 anonymous refusals from one address
    for _ in range(60):
        with db.session_scope(portal.db_url) as s:
            audit.record(s, "login.success", actor="pager@example.cn", ip="10.20.0.1")
    for i in range(120):
        with db.session_scope(portal.db_url) as s:
            audit.record(s, "page_denied", object_type="page", object_id=f"/admin/x{i}", ip="203.0.113.50",
                         outcome="denied")
    context, page = _page(browser)
    sign_in_demo(page, portal, "admin", secrets)
    page.goto(portal.url + "/admin/audit")
    table = page.locator("#audit-table")
    # the flood is one event and one summary with its count; the sign-ins are right below
    expect(table).to_contain_text("另有 119 次")
    flood = table.locator("tr").filter(has_text="203.0.113.50")
    expect(flood).to_have_count(2)
    expect(table.locator("tr").filter(has_text="pager@example.cn").first).to_contain_text("登录成功")
    with db.get_engine(portal.db_url).connect() as conn:
        assert conn.execute(text("select count(*) from auditevent where ip = '203.0.113.50'")).scalar() == 2

    page.fill("input[name=actor]", "pager@example.cn")
    page.click("#audit-filter")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#audit-page")).to_have_text("第 1 页")
    expect(page.locator("#audit-newer")).to_be_disabled()
    page.click("#audit-older")
    expect(page.locator("#audit-page")).to_have_text("第 2 页")
    expect(rows).to_have_count(10)  # the filter holds on the next page
    expect(page.locator("#audit-older")).to_be_disabled()
    for i in range(10):
        expect(rows.nth(i)).to_contain_text("pager@example.cn")
    page.click("#audit-newer")
    expect(page.locator("#audit-page")).to_have_text("第 1 页")
    expect(rows).to_have_count(50)
    context.close()
