"""HTTP endpoints of the sign-in flows.

Everything that sets or carries a secret goes over plain HTTP, never through a
Reflex state var: the session token lives in an HttpOnly, SameSite=Strict
cookie that page JavaScript cannot read; the TOTP key and recovery codes are
shown in small same-origin frames rendered here. The Reflex pages hold the
forms (native POSTs to these routes) and show errors by a key in the query
string that maps back to a known msgid (see ``error_key``).

Every POST checks that the Origin header is our own (CSRF), every refusal
changes nothing but counters and the audit log (the services see to that).
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from portal import models, routes
from portal.services.platform import audit, crypto, db, i18n
from portal.services.accounts import auth
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from portal.services.platform.settings import client_ip, get_settings

log = logging.getLogger("portal.auth")

SESSION_COOKIE = routes.SESSION_COOKIE
INVITE_COOKIE = "tp_invite"
RESET_COOKIE = "tp_reset"
CODES_COOKIE = "tp_rc"

PASSWORDS_DIFFER = N_("The two passwords are not the same.")
GENERIC_ERROR = N_("Something went wrong. Please try again.")
PASSWORD_CHANGED = N_("Your password was changed. Sign in with it and your authenticator code.")
RESET_SENT = N_("If an account exists for this address, we have sent a link to reset the password. It is valid for 30 minutes.")
SIGNED_OUT = N_("You have signed out.")


def _secure() -> bool:
    return get_settings().public_url.startswith("https://")


def _set_cookie(response: Response, name: str, value: str, *, path: str = "/", max_age: int | None = None) -> None:
    response.set_cookie(name, value, path=path, max_age=max_age, httponly=True, secure=_secure(),
                        samesite="strict")


def _clear_cookie(response: Response, name: str, path: str = "/") -> None:
    response.delete_cookie(name, path=path, httponly=True, secure=_secure(), samesite="strict")


def _ip(request: Request) -> str:
    return client_ip(request.client.host if request.client else "", request.headers.get("x-forwarded-for"))


def _locale(request: Request) -> str:
    return i18n.normalize_locale(request.cookies.get(routes.LOCALE_COOKIE))


def _ua(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]


def _back(path: str, msgid: str | None = None, *, param: str = "e") -> RedirectResponse:
    if msgid:
        sep = "&" if "?" in path else "?"
        path = f"{path}{sep}{param}={i18n.message_key(msgid)}"
    return RedirectResponse(path, status_code=303)


def _origin_ok(request: Request) -> bool:
    return request.headers.get("origin", "") == get_settings().origin


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _post(handler):
    """Wrap a POST handler: refuse foreign origins, turn ServiceError into a redirect
    with the message key, and never let a stack trace reach the browser."""

    async def endpoint(request: Request) -> Response:
        if not _origin_ok(request):
            with db.session_scope() as s:
                audit.record(s, "csrf.refused", object_type="route", object_id=request.url.path[:60],
                             ip=_ip(request), outcome="denied")
            return PlainTextResponse("Forbidden", status_code=403)
        form = await _form(request)
        try:
            # Services block (argon2, throttle delays): keep them off the event loop.
            return await run_in_threadpool(handler, request, form)
        except ServiceError as exc:
            return _back(form.get("_back") or routes.LOGIN, exc.msgid)
        except Exception:  # noqa: BLE001 - logged here, a generic message for the browser
            log.exception("auth endpoint %s failed", request.url.path)
            return _back(routes.LOGIN, GENERIC_ERROR)

    return endpoint


# ---------------------------------------------------------------- sign-in


def login(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.LOGIN
    email = form.get("email", "")
    try:
        with db.session_scope() as s:
            result = auth.login(s, email, form.get("password", ""), _ip(request), _ua(request))
    except ServiceError as exc:
        # Keep the address for the form (HttpOnly, five minutes, not in the URL or its
        # history); never the password.
        response = _back(routes.LOGIN, exc.msgid)
        _set_cookie(response, routes.LOGIN_EMAIL_COOKIE, quote(email.strip()[:254], safe=""), max_age=300)
        return response
    target = routes.LOGIN_CODE if result.status == "mfa" else routes.MFA_SETUP
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, SESSION_COOKIE, result.token)
    _clear_cookie(response, routes.LOGIN_EMAIL_COOKIE)
    return response


def code(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.LOGIN_CODE
    with db.session_scope() as s:
        token = auth.complete_mfa(s, request.cookies.get(SESSION_COOKIE, ""), form.get("code", ""))
    response = RedirectResponse(routes.safe_next(form.get("next")), status_code=303)
    _set_cookie(response, SESSION_COOKIE, token)
    return response


def logout(request: Request, form: dict[str, str]) -> Response:
    with db.session_scope() as s:
        auth.logout(s, request.cookies.get(SESSION_COOKIE))
    response = _back(routes.LOGIN, SIGNED_OUT, param="m")
    _clear_cookie(response, SESSION_COOKIE)
    return response


# ---------------------------------------------------------------- MFA enrolment and recovery codes

_FRAME_HEADERS = {
    # These two frames are embedded by our own pages only; their one script is a
    # static file of ours (no inline code).
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                               "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "cache-control": "no-store",
}
_FRAME_STYLE = (
    ":root{color-scheme:light;--fg:#1c2024;--muted:#60646c;--btn:#e8eaf6;--btn-fg:#1f2d5c;--line:#d9d9e0}"
    ":root.dark{color-scheme:dark;--fg:#edeef0;--muted:#b0b4ba;--btn:#262a45;--btn-fg:#c9d2ff;--line:#3a3f42}"
    "body{margin:0;display:flow-root;font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC',sans-serif;"
    "background:transparent;color:var(--fg);font-size:15px}"
    "svg{display:block;width:180px;height:180px;background:#fff;padding:6px;border-radius:6px}"
    ".mono{font-family:ui-monospace,Menlo,Consolas,'Noto Sans Mono',monospace}"
    "p{margin:.6em 0}.muted{color:var(--muted);font-size:13px}"
    "#totp-key{display:block;font-size:17px;line-height:1.6;letter-spacing:.04em;word-spacing:.3em;"
    "overflow-wrap:anywhere;user-select:all}"
    ".actions{display:flex;flex-wrap:wrap;gap:8px;margin:.6em 0}"
    ".btn{display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;min-height:44px;"
    "padding:0 16px;border:0;border-radius:8px;background:var(--btn);color:var(--btn-fg);font:inherit;"
    "font-weight:500;text-decoration:none;cursor:pointer}"
    "ol{margin:0;padding:0 0 0 2.2em;font-size:17px;line-height:1.9}"
    "li code{white-space:nowrap;font-size:17px}"
    "#frame-status{min-height:1.2em;margin:0;color:var(--muted);font-size:13px}"
    "@media print{.actions,#frame-status{display:none}body{color:#000}}"
)
FRAME_SCRIPT = routes.AUTH_FRAME_SCRIPT
_SCRIPT_PATH = Path(__file__).with_name("static") / "secret_frame.js"


def _frame(body: str, locale: str) -> HTMLResponse:
    lang = "en" if locale == "en" else "zh-CN"
    page = (f"<!doctype html><html lang={lang}><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_FRAME_STYLE}</style>"
            f"<body>{body}<p id=frame-status role=status aria-live=polite></p>"
            f"<script src='{FRAME_SCRIPT}'></script></body></html>")
    return HTMLResponse(page, headers=_FRAME_HEADERS)


def frame_script(request: Request) -> Response:
    return Response(_SCRIPT_PATH.read_text(encoding="utf-8"), media_type="text/javascript; charset=utf-8",
                    headers={"cache-control": "no-cache"})


def _both(msgid: str) -> str:
    """Both translations, for the frame's script to follow the page's language switch
    (reloading the frame would lose the recovery codes, which are shown only once)."""
    return html.escape(json.dumps({loc: i18n.gettext(loc, msgid) for loc in i18n.LOCALES}, ensure_ascii=False))


def _text(locale: str, msgid: str) -> str:
    return f"<span data-i18n='{_both(msgid)}'>{html.escape(i18n.gettext(locale, msgid))}</span>"


def _copy_button(locale: str, source_id: str, label: str, button_id: str) -> str:
    return (f"<button type=button class=btn id={button_id} data-action=copy data-source={source_id} "
            f"data-done='{_both(COPIED)}' data-failed='{_both(COPY_FAILED)}'>{_text(locale, label)}</button>")


COPY_KEY = N_("Copy the key")
COPY_CODES = N_("Copy the codes")
COPIED = N_("Copied.")
COPY_FAILED = N_("Could not copy: select the text and copy it by hand.")
OPEN_IN_APP = N_("Open in the authenticator app")
ON_THIS_PHONE = N_("On this phone? Open the key in your authenticator app directly:")
KEY_LABEL = N_("Key (type it in if you cannot scan):")
DOWNLOAD_CODES = N_("Download (.txt)")
PRINT_CODES = N_("Print")
CODES_FILE_TITLE = N_("Talent Portal recovery codes. Each code works once.")


def mfa_secret(request: Request) -> Response:
    """The QR code and key of the authenticator being set up (created on first view).
    A phone cannot scan its own screen: the otpauth:// link opens the app, and the key
    is shown whole with a copy button."""
    locale = _locale(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        with db.session_scope() as s:
            secret, svg, uri = auth.begin_enrolment(s, token, reuse_pending=True)
    except ServiceError:
        return _frame("<p>—</p>", locale)
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return _frame(
        f"<p class=muted>{_text(locale, ON_THIS_PHONE)}</p>"
        f"<div class=actions><a class=btn id=otpauth-link href='{html.escape(uri)}' target=_top>"
        f"{_text(locale, OPEN_IN_APP)}</a></div>"
        f"{svg}"
        f"<p class=muted>{_text(locale, KEY_LABEL)}</p>"
        f"<code class=mono id=totp-key data-key='{html.escape(secret)}' data-copy='{html.escape(secret)}'>"
        f"{html.escape(spaced)}</code>"
        f"<div class=actions>{_copy_button(locale, 'totp-key', COPY_KEY, 'copy-key')}</div>",
        locale,
    )


def _stash_codes(response: Response, token: str, codes: list[str]) -> None:
    """Recovery codes ride to the one page that shows them in an encrypted,
    HttpOnly cookie bound to the new session; the page deletes it."""
    payload = json.dumps({"s": auth.hash_token(token), "c": codes})
    _set_cookie(response, CODES_COOKIE, crypto.encrypt(payload), path=routes.AUTH_RECOVERY_FRAME, max_age=600)


def mfa_confirm(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.MFA_SETUP
    with db.session_scope() as s:
        token, codes = auth.confirm_enrolment(s, request.cookies.get(SESSION_COOKIE, ""), form.get("code", ""))
    response = RedirectResponse(routes.RECOVERY_CODES, status_code=303)
    _set_cookie(response, SESSION_COOKIE, token)
    _stash_codes(response, token, codes)
    return response


def recovery_regenerate(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.ACCOUNT_SECURITY
    token = request.cookies.get(SESSION_COOKIE, "")
    with db.session_scope() as s:
        codes = auth.regenerate_recovery_codes(s, token)
    response = RedirectResponse(routes.RECOVERY_CODES, status_code=303)
    _stash_codes(response, token, codes)
    return response


def recovery_frame(request: Request) -> Response:
    locale = _locale(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    codes: list[str] = []
    try:
        payload = json.loads(crypto.decrypt(request.cookies.get(CODES_COOKIE, "")))
        if payload.get("s") == auth.hash_token(token):
            codes = [str(c) for c in payload.get("c", [])]
    except Exception:  # noqa: BLE001 - missing, tampered or foreign cookie: show nothing
        codes = []
    if codes:
        g = i18n.gettext
        # The .txt is a data: link made here: it works without script and the codes
        # never leave this response (the cookie that carried them is deleted below).
        text = g(locale, CODES_FILE_TITLE) + "\r\n\r\n" + "\r\n".join(codes) + "\r\n"
        body = (
            "<ol id=codes class=mono data-copy='" + html.escape("\n".join(codes)) + "'>"
            + "".join(f"<li><code>{html.escape(c)}</code></li>" for c in codes) + "</ol>"
            + "<div class=actions>"
            + _copy_button(locale, "codes", COPY_CODES, "copy-codes")
            + f"<a class=btn id=download-codes download=recovery-codes.txt "
              f"href='data:text/plain;charset=utf-8,{quote(text)}'>{_text(locale, DOWNLOAD_CODES)}</a>"
            + f"<button type=button class=btn id=print-codes data-action=print>"
              f"{_text(locale, PRINT_CODES)}</button>"
            + "</div>"
        )
    else:
        body = "<p id=codes-gone>—</p>"
    response = _frame(body, locale)
    _clear_cookie(response, CODES_COOKIE, path=routes.AUTH_RECOVERY_FRAME)
    return response


def reauth(request: Request, form: dict[str, str]) -> Response:
    back = routes.safe_next(form.get("next"))
    form["_back"] = back
    with db.session_scope() as s:
        auth.reauthenticate(s, request.cookies.get(SESSION_COOKIE, ""), form.get("password", ""),
                            form.get("code", ""), ip=_ip(request))
    return RedirectResponse(back, status_code=303)


PASSWORD_UPDATED = N_("Your password was changed. Your other sessions were signed out.")


def password_change(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.ACCOUNT_SECURITY
    if form.get("password", "") != form.get("password2", ""):
        raise ServiceError(PASSWORDS_DIFFER)
    with db.session_scope() as s:
        auth.change_password(s, request.cookies.get(SESSION_COOKIE, ""), form.get("current", ""),
                             form.get("password", ""), ip=_ip(request))
    return _back(routes.ACCOUNT_SECURITY, PASSWORD_UPDATED, param="m")


# ---------------------------------------------------------------- invitations and password reset


def _link_landing(cookie: str, cookie_path: str, page: str):
    """/invite/<token> and /reset/<token>: move the token from the URL into an
    HttpOnly cookie scoped to its POST route, then show the form page."""

    async def endpoint(request: Request) -> Response:
        response = RedirectResponse(page, status_code=303)
        _set_cookie(response, cookie, request.path_params["token"][:200], path=cookie_path, max_age=1800)
        return response

    return endpoint


def invite(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.INVITE_FORM
    if form.get("password", "") != form.get("password2", ""):
        raise ServiceError(PASSWORDS_DIFFER)
    with db.session_scope() as s:
        token = auth.accept_invitation(s, request.cookies.get(INVITE_COOKIE, ""), form.get("password", ""),
                                       form.get("name", ""), ip=_ip(request), user_agent=_ua(request))
    response = RedirectResponse(routes.MFA_SETUP, status_code=303)
    _set_cookie(response, SESSION_COOKIE, token)
    _clear_cookie(response, INVITE_COOKIE, path=routes.AUTH_INVITE)
    return response


def _send_reset_link(email: str, ip: str, locale: str) -> None:
    try:
        with db.session_scope() as s:
            auth.send_reset_link(s, email, ip, locale=locale)
    except Exception:  # noqa: BLE001 - after the answer: nobody to tell but the log
        log.exception("sending a reset link failed")


def reset_request(request: Request, form: dict[str, str]) -> Response:
    """Answer after the rate limit only (the same work for every address); the lookup, the
    link and the e-mail, which only a known address needs, run after the answer is sent."""
    form["_back"] = routes.RESET_REQUEST
    email, ip = form.get("email", ""), _ip(request)
    with db.session_scope() as s:
        auth.limit_reset_request(s, email, ip)
    response = _back(routes.RESET_REQUEST, RESET_SENT, param="m")
    response.background = BackgroundTask(_send_reset_link, email, ip, _locale(request))
    return response


SIGNUP_SENT = N_("Check your e-mail: we have sent a link to create your account.")


def signup(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.SIGNUP
    with db.session_scope() as s:
        auth.request_signup(s, form.get("email", ""), _ip(request),
                            locale=_locale(request))
    return _back(routes.SIGNUP, SIGNUP_SENT, param="m")


def reset_complete(request: Request, form: dict[str, str]) -> Response:
    form["_back"] = routes.RESET_NEW
    if form.get("password", "") != form.get("password2", ""):
        raise ServiceError(PASSWORDS_DIFFER)
    with db.session_scope() as s:
        auth.complete_reset(s, request.cookies.get(RESET_COOKIE, ""), form.get("password", ""), ip=_ip(request))
    response = _back(routes.LOGIN, PASSWORD_CHANGED, param="m")
    _clear_cookie(response, RESET_COOKIE, path=routes.AUTH_RESET)
    _clear_cookie(response, SESSION_COOKIE)
    return response


# ---------------------------------------------------------------- SSO (OpenID Connect)

SSO_COOKIE = "tp_sso"


def _sso_redirect_uri() -> str:
    return get_settings().public_url + routes.AUTH_SSO_CALLBACK


def sso_start(request: Request) -> Response:
    """Send the browser to the identity provider. The pending login (state, nonce,
    PKCE verifier) rides in an encrypted HttpOnly cookie bound to this browser,
    so the callback works on any portal process and a forged callback has none."""
    from portal.services.accounts import oidc

    try:
        url, pending = oidc.begin_login(_sso_redirect_uri())
    except ServiceError as exc:
        return _back(routes.LOGIN, exc.msgid)
    response = RedirectResponse(url, status_code=303)
    _set_cookie(response, SSO_COOKIE, crypto.encrypt(pending.to_json()), path=routes.AUTH_SSO, max_age=600)
    return response


def sso_callback(request: Request) -> Response:
    from portal.services.accounts import oidc

    store: dict = {}
    try:
        pending = oidc.PendingLogin.from_json(crypto.decrypt(request.cookies.get(SSO_COOKIE, "")))
        store[pending.state] = pending
    except Exception:  # noqa: BLE001 - no or foreign cookie: the state check below refuses
        store = {}
    try:
        with db.session_scope() as s:
            result = oidc.complete_login(s, store, dict(request.query_params), _sso_redirect_uri(), _ip(request))
        with db.session_scope() as s:
            user = s.get(models.User, result.user.id)
            login_result = auth.start_sso_session(s, user, mfa_satisfied=result.mfa_satisfied, ip=_ip(request),
                                                  user_agent=_ua(request))
    except ServiceError as exc:
        response = _back(routes.LOGIN, exc.msgid)
        _clear_cookie(response, SSO_COOKIE, path=routes.AUTH_SSO)
        return response
    target = {"ok": routes.HOME, "mfa": routes.LOGIN_CODE}.get(login_result.status, routes.MFA_SETUP)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, SESSION_COOKIE, login_result.token)
    _clear_cookie(response, SSO_COOKIE, path=routes.AUTH_SSO)
    return response


# ---------------------------------------------------------------- audit export


def audit_csv(request: Request) -> Response:
    """The filtered audit log as CSV; admins only, after a recent re-authentication."""
    from portal.services.accounts import access

    token = request.cookies.get(SESSION_COOKIE, "")
    with db.session_scope() as s:
        found = auth.resolve_session(s, token)
        user = found[0] if found else None
        if found is None or not access.can(user, access.AUDIT_VIEW, session=s):
            audit.record(s, "audit.export", actor_id=getattr(user, "id", None), ip=_ip(request), outcome="denied")
            return PlainTextResponse("Forbidden", status_code=403)
        if not access.reauth_is_recent(found[1]):
            return _back(f"{routes.REAUTH}?next={quote(routes.ADMIN_AUDIT)}", auth.REAUTH_REQUIRED)
        q = request.query_params
        audit.flush_repeats(s)  # counted refusals become summary events before the export
        events = audit.search(s, actor=q.get("actor") or None, action=q.get("action") or None,
                              outcome=q.get("outcome") or None, limit=10_000)
        body = audit.export_csv(events)
        audit.record(s, "audit.export", actor_id=user.id, actor=user.email, ip=_ip(request))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": "attachment; filename=audit-log.csv"})


def auth_app() -> Starlette:
    return Starlette(routes=[
        Route(routes.AUTH_LOGIN, _post(login), methods=["POST"]),
        Route(routes.AUTH_CODE, _post(code), methods=["POST"]),
        Route(routes.AUTH_LOGOUT, _post(logout), methods=["POST"]),
        Route(routes.AUTH_MFA_FRAME, mfa_secret, methods=["GET"]),
        Route(routes.AUTH_MFA_CONFIRM, _post(mfa_confirm), methods=["POST"]),
        Route(routes.AUTH_RECOVERY_FRAME, recovery_frame, methods=["GET"]),
        Route(routes.AUTH_FRAME_SCRIPT, frame_script, methods=["GET"]),
        Route(routes.AUTH_RECOVERY_REGENERATE, _post(recovery_regenerate), methods=["POST"]),
        Route(routes.AUTH_REAUTH, _post(reauth), methods=["POST"]),
        Route(routes.AUTH_PASSWORD, _post(password_change), methods=["POST"]),
        Route(routes.INVITE + "/{token}", _link_landing(INVITE_COOKIE, routes.AUTH_INVITE, routes.INVITE_FORM)),
        Route(routes.AUTH_INVITE, _post(invite), methods=["POST"]),
        Route(routes.RESET + "/{token}", _link_landing(RESET_COOKIE, routes.AUTH_RESET, routes.RESET_NEW)),
        Route(routes.AUTH_RESET_REQUEST, _post(reset_request), methods=["POST"]),
        Route(routes.AUTH_RESET, _post(reset_complete), methods=["POST"]),
        Route(routes.AUTH_SIGNUP, _post(signup), methods=["POST"]),
        Route(routes.AUDIT_CSV, audit_csv, methods=["GET"]),
        Route(routes.AUTH_SSO_START, sso_start, methods=["GET"]),
        Route(routes.AUTH_SSO_CALLBACK, sso_callback, methods=["GET"]),
    ])
