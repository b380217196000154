"""HR keeps the interviewer profiles candidates see, photo included.

An uploaded photo is judged by its bytes, never its name: it must open in Pillow as
JPEG, PNG or WebP (magic bytes checked first), is capped at MAX_UPLOAD bytes, resized
to at most PHOTO_PX and re-encoded as JPEG without its metadata (EXIF, GPS), so what
we serve is an image we wrote. It lands in ``<data_dir>/interviewer-photos/`` (assets/
is a build input: a file added there after the build is never served) and the
profile's ``photo`` holds its URL, served to signed-in users by portal/hr_routes.py.
The demo portraits stay under assets/interviewers/.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from sqlmodel import select

from portal import routes
from portal.models import InterviewerProfile, User
from portal.services.accounts import access
from portal.services.platform import audit
from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from portal.services.platform.settings import get_settings

MAX_UPLOAD = 5 * 1024 * 1024
PHOTO_PX = 512
PHOTO_NAME = re.compile(r"^[0-9]{1,9}-[0-9a-f]{12}\.jpg$")
_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))

NOT_AN_IMAGE = N_("The file is not a JPEG, PNG or WebP image.")
TOO_LARGE = N_("The photo is larger than 5 MB.")
NOT_FOUND = N_("Interviewer not found.")


def _kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_photo(data: bytes) -> bytes:
    """The upload as a metadata-free JPEG of at most PHOTO_PX a side, or ServiceError."""
    if len(data) > MAX_UPLOAD:
        raise ServiceError(TOO_LARGE)
    kind = _kind(data)
    if kind is None:
        raise ServiceError(NOT_AN_IMAGE)
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != kind:
                raise ServiceError(NOT_AN_IMAGE)
            if img.width * img.height > 40_000_000:  # decompression bombs
                raise ServiceError(TOO_LARGE)
            img.load()
            img = img.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ServiceError(NOT_AN_IMAGE) from exc
    img.thumbnail((PHOTO_PX, PHOTO_PX))
    # A fresh RGB image carries no EXIF; saving without exif= writes none.
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def photo_dir() -> Path:
    return get_settings().data_dir / "interviewer-photos"


def photo_path(name: str) -> Path | None:
    """The stored photo called ``name``, or None for any other name (no path tricks)."""
    if not PHOTO_NAME.match(name):
        return None
    path = photo_dir() / name
    return path if path.is_file() else None


def set_photo(session, actor: User, profile_id: int, data: bytes, *, ip: str = "") -> str:
    """Store a cleaned photo for the profile and return its URL path."""
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    profile = session.get(InterviewerProfile, profile_id)
    if profile is None:
        raise ServiceError(NOT_FOUND)
    jpeg = clean_photo(data)
    name = f"{int(profile_id)}-{secrets.token_hex(6)}.jpg"
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(jpeg)
    old = profile.photo.rsplit("/", 1)[-1] if profile.photo.startswith(routes.INTERVIEWER_PHOTO + "/") else ""
    profile.photo = f"{routes.INTERVIEWER_PHOTO}/{name}"
    session.add(profile)
    session.flush()
    audit.record(session, "interviewer.photo", actor_id=actor.id, actor=actor.email,
                 object_type="interviewer_profile", object_id=profile_id, ip=ip)
    if old and photo_path(old):  # the replaced upload is nobody's photo any more
        (folder / old).unlink(missing_ok=True)
    return profile.photo


def list_profiles(session, actor: User, *, ip: str = "") -> list[InterviewerProfile]:
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    return list(session.exec(select(InterviewerProfile).order_by(InterviewerProfile.id)).all())


_TEXT = ("name_zh", "name_en", "title_zh", "title_en", "background_zh", "background_en",
         "focus_zh", "focus_en")


def save_profile(session, actor: User, fields: dict, profile_id: int | None = None, *,
                 ip: str = "") -> InterviewerProfile:
    """Add (profile_id None) or edit a profile; names in both languages are required."""
    access.require(actor, access.CONFIG_EDIT, session=session, ip=ip)
    values = {k: str(fields.get(k, "")).strip() for k in _TEXT}
    if not values["name_zh"] or not values["name_en"]:
        raise ServiceError(N_("Name in both languages is required."))
    try:
        years = int(fields.get("years_experience", 0) or 0)
    except (TypeError, ValueError):
        years = -1
    if not 0 <= years <= 60:
        raise ServiceError(N_("Years of experience must be a number from 0 to 60."))
    if profile_id is None:
        profile = InterviewerProfile(**values, years_experience=years)
    else:
        profile = session.get(InterviewerProfile, profile_id)
        if profile is None:
            raise ServiceError(NOT_FOUND)
        for k, v in values.items():
            setattr(profile, k, v)
        profile.years_experience = years
    if "is_active" in fields:
        profile.is_active = bool(fields["is_active"])
    session.add(profile)
    session.flush()
    audit.record(session, "interviewer.save", actor_id=actor.id, actor=actor.email,
                 object_type="interviewer_profile", object_id=profile.id, ip=ip)
    return profile
