"""The candidate's device check: camera, microphone, network and browser.

The browser measures (portal/static/device_check.js) and posts the raw figures;
this module validates them, decides what is good enough for the interview and
saves one DeviceCheck row per run. The verdicts (``*_ok``) and the problem codes
are computed here from the figures, never taken from the browser, so a
hand-made post can neither fake a pass nor store nonsense: absurd values
(negative, NaN, 100000 fps, 10 Gbps, oversized strings) are refused whole.

A candidate saves only against their own interview (object check through the
access policy); HR, and the interviewers assigned, read the checks with
``checks_for_interview``. Nothing here imports reflex.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import false
from sqlalchemy.orm import aliased
from sqlmodel import select

from portal.models import DeviceCheck, Interview, Job, User
from portal.services.accounts import access, throttle
from portal.services.platform import audit, i18n
from portal.services.platform.errors import PermissionDenied, ServiceError
from portal.services.platform.i18n import N_

# What the interview needs: 720p video up needs about 1.5 Mbps; the interviewer's
# picture and the questions come down; a conversation stutters past ~300 ms.
MIN_UPLOAD_MBPS = 1.5
MIN_DOWNLOAD_MBPS = 1.5
MAX_LATENCY_MS = 300
MIN_SIDE_PX = 360  # 640 × 360 at least; 1280 × 720 is what the room asks for
MIN_FPS = 15
MIN_LEVEL = 0.02  # peak level 0..1 below which we heard (almost) nothing

# Plausibility bounds: what a browser can honestly report. The browser caps its
# throughput figures at MAX_MBPS (2 MB samples cannot tell faster links apart).
MAX_MBPS = 1000.0
MAX_LATENCY_REPORTED_MS = 60_000.0
MAX_SIDE_PX = 7680
MAX_FPS = 240.0
MAX_PAYLOAD_CHARS = 4096
MAX_BROWSER_NAME = 120

# Saving is cheap but unbounded rows are not: a few reruns a minute is plenty.
SAVES_PER_HOUR = 30

CODECS = ("video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm;codecs=h264,opus",
          "video/webm", "video/mp4;codecs=avc1,mp4a", "video/mp4")

INVALID = N_("These device check figures are not plausible, so nothing was saved. Run the check again.")
SAVED = N_("Your device check was saved.")
CHECKED_AT = N_("Last checked {when}")

MediaError = Literal["", "denied", "not_found", "in_use", "unsupported", "other"]

# Problem code -> advice (msgid); shown in this order.
ADVICE: dict[str, str] = {
    "insecure_context": N_("The browser allows the camera and microphone only on a secure (https) address. "
                           "Open the portal through its https address."),
    "browser_no_media": N_("This browser cannot use a camera and microphone. "
                           "Switch to the latest Chrome, Edge or Firefox."),
    "browser_no_webrtc": N_("This browser cannot make video calls (WebRTC). "
                            "Switch to the latest Chrome, Edge or Firefox."),
    "browser_no_recorder": N_("This browser cannot record video in a format the interview uses (WebM or MP4). "
                              "Switch to the latest Chrome, Edge or Firefox."),
    "camera_denied": N_("The browser was not allowed to use the camera. Allow the camera for this site "
                        "(the icon at the left of the address bar) and run the check again."),
    "camera_not_found": N_("No camera was found. Connect a camera, or use a computer or phone that has one."),
    "camera_in_use": N_("The camera is in use by another program. Close other video apps (meetings, camera "
                        "apps) and run the check again."),
    "camera_failed": N_("The camera could not be started. Reconnect it or restart the browser, then run the "
                        "check again."),
    "camera_low_resolution": N_("The camera's picture is small. Use a camera with at least 640 × 360 pixels "
                                "(1280 × 720 is best)."),
    "camera_low_fps": N_("The camera delivers few frames per second ({fps} needed). Add light to the room and "
                         "close other video apps."),
    "microphone_denied": N_("The browser was not allowed to use the microphone. Allow the microphone for this "
                            "site (the icon at the left of the address bar) and run the check again."),
    "microphone_not_found": N_("No microphone was found. Connect a headset or a microphone."),
    "microphone_in_use": N_("The microphone is in use by another program. Close other call or recording apps "
                            "and run the check again."),
    "microphone_failed": N_("The microphone could not be started. Reconnect it or restart the browser, then "
                            "run the check again."),
    "microphone_silent": N_("We heard almost nothing. Check that the microphone is not muted, move closer to it "
                            "and speak during the recording."),
    "network_failed": N_("The network test could not reach the portal. Check your connection and run the "
                         "check again."),
    "network_rate_limited": N_("The network test was run several times in a short while. Wait a minute and run "
                               "the check again."),
    "latency_high": N_("The portal answers slowly (over {ms} ms). Move closer to the router or use a cable, and "
                       "pause large downloads."),
    "download_slow": N_("Download is below {mbps} Mbps. Move closer to the router and close other video apps "
                        "and downloads."),
    "upload_slow": N_("Upload is below {mbps} Mbps, which sending 720p video needs. Move closer to the router "
                      "or use a cable, and close other video apps."),
}
_PARAMS = {"camera_low_fps": {"fps": MIN_FPS}, "latency_high": {"ms": MAX_LATENCY_MS},
           "download_slow": {"mbps": MIN_DOWNLOAD_MBPS}, "upload_slow": {"mbps": MIN_UPLOAD_MBPS}}


# ---------------------------------------------------------------- what the browser posts

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=MAX_BROWSER_NAME)


class CameraFigures(_Strict):
    error: MediaError = ""
    width: Optional[int] = Field(default=None, ge=1, le=MAX_SIDE_PX)
    height: Optional[int] = Field(default=None, ge=1, le=MAX_SIDE_PX)
    fps: Optional[float] = Field(default=None, gt=0, le=MAX_FPS)


class MicrophoneFigures(_Strict):
    error: MediaError = ""
    level: Optional[float] = Field(default=None, ge=0, le=1)


class NetworkFigures(_Strict):
    error: Literal["", "failed", "rate_limited"] = ""
    latency_ms: Optional[float] = Field(default=None, ge=0, le=MAX_LATENCY_REPORTED_MS)
    download_mbps: Optional[float] = Field(default=None, ge=0, le=MAX_MBPS)
    upload_mbps: Optional[float] = Field(default=None, ge=0, le=MAX_MBPS)


class BrowserFigures(_Strict):
    name: str = ""
    secure_context: bool = False
    webrtc: bool = False
    media_devices: bool = False
    recorder: bool = False
    codec: Literal[("",) + CODECS] = ""  # type: ignore[valid-type]

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("control characters")
        return value.strip()


class Figures(_Strict):
    camera: CameraFigures
    microphone: MicrophoneFigures
    network: NetworkFigures
    browser: BrowserFigures


def parse(payload: str) -> Figures:
    """The posted JSON as validated figures; ServiceError(INVALID) for anything implausible."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_CHARS:
        raise ServiceError(INVALID)
    try:
        # Python's json accepts NaN and Infinity; pydantic (allow_inf_nan=False) refuses them.
        return Figures.model_validate(json.loads(payload))
    except (ValueError, TypeError, ValidationError):
        raise ServiceError(INVALID) from None


# ---------------------------------------------------------------- verdicts

_MEDIA_PROBLEM = {"denied": "denied", "not_found": "not_found", "in_use": "in_use", "other": "failed"}


def _camera_problems(c: CameraFigures) -> list[str]:
    if c.error == "unsupported":
        return []  # the browser problem says why
    if c.error:
        return ["camera_" + _MEDIA_PROBLEM[c.error]]
    if c.width is None or c.height is None:
        return ["camera_failed"]
    problems = []
    if min(c.width, c.height) < MIN_SIDE_PX:
        problems.append("camera_low_resolution")
    if c.fps is not None and c.fps < MIN_FPS:
        problems.append("camera_low_fps")
    return problems


def _microphone_problems(m: MicrophoneFigures) -> list[str]:
    if m.error == "unsupported":
        return []
    if m.error:
        return ["microphone_" + _MEDIA_PROBLEM[m.error]]
    if m.level is None:
        return ["microphone_failed"]
    return ["microphone_silent"] if m.level < MIN_LEVEL else []


def _network_problems(n: NetworkFigures) -> list[str]:
    if n.error == "rate_limited":
        return ["network_rate_limited"]
    if n.error or None in (n.latency_ms, n.download_mbps, n.upload_mbps):
        return ["network_failed"]
    problems = []
    if n.latency_ms > MAX_LATENCY_MS:
        problems.append("latency_high")
    if n.download_mbps < MIN_DOWNLOAD_MBPS:
        problems.append("download_slow")
    if n.upload_mbps < MIN_UPLOAD_MBPS:
        problems.append("upload_slow")
    return problems


def _browser_problems(b: BrowserFigures) -> list[str]:
    problems = []
    if not b.secure_context:
        problems.append("insecure_context")
    elif not b.media_devices:
        problems.append("browser_no_media")
    if not b.webrtc:
        problems.append("browser_no_webrtc")
    if not b.recorder or not b.codec:
        problems.append("browser_no_recorder")
    return problems


def evaluate(figures: Figures) -> dict:
    """The DeviceCheck columns for ``figures``: the figures, the verdicts and the problems."""
    c, m, n, b = figures.camera, figures.microphone, figures.network, figures.browser
    camera, microphone = _camera_problems(c), _microphone_problems(m)
    network, browser = _network_problems(n), _browser_problems(b)
    usable = c.error == "" and c.width is not None
    return {
        "camera_ok": usable and not camera,
        "camera_width": c.width if usable else None,
        "camera_height": c.height if usable else None,
        "camera_fps": round(c.fps, 1) if usable and c.fps is not None else None,
        "microphone_ok": m.error == "" and m.level is not None and not microphone,
        "microphone_level": round(m.level, 3) if m.error == "" and m.level is not None else None,
        "latency_ms": round(n.latency_ms, 1) if n.latency_ms is not None else None,
        "download_mbps": round(n.download_mbps, 2) if n.download_mbps is not None else None,
        "upload_mbps": round(n.upload_mbps, 2) if n.upload_mbps is not None else None,
        "network_ok": not network,
        "browser": b.name[:MAX_BROWSER_NAME],
        "browser_ok": not browser,
        "problems": [p for p in ADVICE if p in set(browser + camera + microphone + network)],
    }


def advice(problems: list[str], locale: str | None) -> list[str]:
    """The advice for stored problem codes, translated; unknown codes are skipped."""
    return [i18n.gettext(locale, ADVICE[p], **_PARAMS.get(p, {})) for p in problems if p in ADVICE]


# ---------------------------------------------------------------- interviews and rows


def utcnow() -> datetime:  # module-level so tests can move the clock
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite gives them back naive."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def own_interview(session, user: User, interview_id: int, *, ip: str = "") -> Interview:
    """The interview ``interview_id`` when it is ``user``'s own as its candidate; otherwise
    PermissionDenied, audited (an unknown id looks the same as someone else's)."""
    interview = _interview(session, user, interview_id, ip)
    if interview.candidate_id != user.id:
        # HR and interviewers may read an interview, but only its candidate runs a check for it.
        _deny(session, user, interview_id, ip)
    return interview


def _deny(session, user: User, interview_id: object, ip: str):
    audit.record(session, "access_denied", actor_id=getattr(user, "id", None), actor=getattr(user, "email", ""),
                 object_type="device_check:Interview", object_id=str(interview_id)[:40], ip=ip, outcome="denied")
    session.commit()  # the caller's rollback must not erase the record
    raise PermissionDenied()


def _interview(session, user: User, interview_id: object, ip: str) -> Interview:
    """The interview when ``user`` may read it (policy object check), else PermissionDenied."""
    interview = session.get(Interview, interview_id) if type(interview_id) is int else None
    if interview is None:
        _deny(session, user, interview_id, ip)
    access.require(user, access.INTERVIEW_VIEW, interview, session=session, ip=ip)
    return interview


def _newest_check(user_id: int, interview_id_column=None):
    """The id of the user's newest check (for the given interview column, or at all)."""
    query = select(DeviceCheck.id).where(DeviceCheck.user_id == user_id)
    if interview_id_column is not None:
        query = query.where(DeviceCheck.interview_id == interview_id_column)
    return query.order_by(DeviceCheck.checked_at.desc(), DeviceCheck.id.desc()).limit(1).scalar_subquery()


def page_view(session, user: User, requested: int | None, *, ip: str = "",
              now: datetime | None = None) -> tuple[Interview | None, Job | None, DeviceCheck | None]:
    """What the device-check page shows, in one statement: the interview it checks for (the
    requested one if it is the caller's own, else their next one), its job, and the newest
    check for it (without an interview, the caller's newest check at all)."""
    access.require(user, access.INTERVIEW_VIEW, session=session, ip=ip)
    now = now or utcnow()
    for_interview, at_all = aliased(DeviceCheck), aliased(DeviceCheck)
    if requested is not None:
        interviews = Interview.id == requested if type(requested) is int else false()
    else:
        interviews = (Interview.candidate_id == user.id) & Interview.status.in_(("scheduled", "in_progress")) \
            & (Interview.scheduled_at >= now - timedelta(hours=12))
    rows = session.exec(
        select(User.id, Interview, Job, for_interview, at_all).select_from(User)
        .outerjoin(Interview, interviews)
        .outerjoin(Job, Job.id == Interview.job_id)
        .outerjoin(for_interview, for_interview.id == _newest_check(user.id, Interview.id))
        .outerjoin(at_all, at_all.id == _newest_check(user.id))
        .where(User.id == user.id).order_by(Interview.scheduled_at)).all()
    if requested is not None:
        interview = rows[0][1] if rows else None
        if interview is None:
            _deny(session, user, requested, ip)
        access.require(user, access.INTERVIEW_VIEW, interview, session=session, ip=ip)
        if interview.candidate_id != user.id:
            _deny(session, user, requested, ip)
        return interview, rows[0][2], rows[0][3]
    for _id, interview, job, check, _any in rows:  # the duration differs per interview: this filter is here
        if interview is not None and as_utc(interview.scheduled_at) + timedelta(minutes=interview.duration_min) >= now:
            return interview, job, check
    return None, None, rows[0][4] if rows else None


def save(session, user: User, interview_id: int | None, payload: str, *, ip: str = "") -> DeviceCheck:
    """Validate the posted figures and save them as a new check (reruns add rows; the
    newest counts). ``interview_id`` None: the candidate has no upcoming interview yet."""
    access.require(user, access.INTERVIEW_VIEW, session=session, ip=ip)
    if interview_id is not None:
        own_interview(session, user, interview_id, ip=ip)
    throttle.rate_limit(session, f"device-check:{user.id}", SAVES_PER_HOUR, 60)
    columns = evaluate(parse(payload))
    check = DeviceCheck(user_id=user.id, interview_id=interview_id, checked_at=utcnow(), **columns)
    session.add(check)
    session.flush()
    return check


def latest(session, user: User, interview_id: int | None) -> DeviceCheck | None:
    """The user's newest check for this interview (or, without one, their newest at all)."""
    query = select(DeviceCheck).where(DeviceCheck.user_id == user.id)
    if interview_id is not None:
        query = query.where(DeviceCheck.interview_id == interview_id)
    return session.exec(query.order_by(DeviceCheck.checked_at.desc(), DeviceCheck.id.desc())).first()


def checks_for_interview(session, user: User, interview_id: int, *, ip: str = "") -> list[DeviceCheck]:
    """Every check saved for an interview, newest first: for HR, the interviewers
    assigned to it and its candidate (the access policy decides, and audits refusals)."""
    interview = _interview(session, user, interview_id, ip)
    return list(session.exec(
        select(DeviceCheck).where(DeviceCheck.interview_id == interview.id)
        .order_by(DeviceCheck.checked_at.desc(), DeviceCheck.id.desc())
    ).all())


def describe(interview: Interview, job: Job | None, tz_name: str | None) -> dict[str, str]:
    """The interview as the page names it, per locale: job title, date and time in the
    candidate's time zone."""
    out = {}
    for locale in i18n.LOCALES:
        title = i18n.pick(locale, job.title_zh, job.title_en) if job else ""
        at = local_time(interview.scheduled_at, locale, tz_name)
        out[locale] = f"{title} · {at}" if title else at
    return out


def local_time(value: datetime, locale: str | None, tz_name: str | None) -> str:
    """Date and minute in the person's time zone, e.g. "2026年11月26日 10:47"."""
    from babel.dates import format_date, format_time

    from portal.services.interviews.preparation import zone

    local = as_utc(value).astimezone(zone(tz_name))
    locale = i18n.normalize_locale(locale)
    return f"{format_date(local.date(), 'medium', locale=locale)} {format_time(local, 'short', locale=locale)}"


def summary(check: DeviceCheck | None, locale: str | None) -> dict[str, str]:
    """The latest check as the page shows it: one line per part, "1" flags for the
    parts that passed, and the advice."""
    if check is None:
        return {}
    n = i18n.format_number
    dash = "—"
    camera = (f"{check.camera_width} × {check.camera_height}"
              + (f" · {n(check.camera_fps, locale)} fps" if check.camera_fps else "")
              if check.camera_width else dash)
    microphone = (i18n.gettext(locale, N_("Peak level {level}"), level=i18n.format_percent(check.microphone_level, locale))
                  if check.microphone_level is not None else dash)
    if None in (check.latency_ms, check.download_mbps, check.upload_mbps):
        network = dash
    else:
        def speed(mbps: float) -> str:  # the browser caps its figures: say "at least" there
            return ("≥ " if mbps >= MAX_MBPS else "") + n(mbps, locale, 1)

        network = i18n.gettext(locale, N_("Latency {ms} ms · download {down} Mbps · upload {up} Mbps"),
                               ms=n(check.latency_ms, locale), down=speed(check.download_mbps),
                               up=speed(check.upload_mbps))
    return {
        "camera": camera, "microphone": microphone, "network": network, "browser": check.browser or dash,
        "camera_ok": "1" if check.camera_ok else "", "microphone_ok": "1" if check.microphone_ok else "",
        "network_ok": "1" if check.network_ok else "", "browser_ok": "1" if check.browser_ok else "",
        "all_ok": "1" if check.camera_ok and check.microphone_ok and check.network_ok and check.browser_ok else "",
    }
