"""HR's catalogue: interviewer photos, course CSV import, e-mail templates."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal import routes
from portal.models import AuditEvent, Course, CourseOffering, EmailTemplate, InterviewerProfile, User
from portal.services.development import catalogue
from portal.services.interviews import interviewer_profiles
from portal.services.platform import db, notifications, templates
from portal.services.platform.demo import demo_email, load_demo
from portal.services.platform.errors import PermissionDenied, ServiceError


@pytest.fixture
def demo(db_url, isolated_data_dir):
    with db.session_scope(db_url) as s:
        load_demo(s)
    return db_url


def _user(s, role):
    return s.execute(select(User).where(User.email == demo_email(role))).scalar_one()


def _png_with_exif(size=(800, 600)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    img.save(out, "PNG", exif=exif)
    return out.getvalue()


# ---------------------------------------------------------------- photos


def test_text_file_named_jpg_is_refused():
    with pytest.raises(ServiceError) as err:
        interviewer_profiles.clean_photo(b"hello, I am not a picture\n" * 10)
    assert err.value.msgid == interviewer_profiles.NOT_AN_IMAGE


def test_fake_magic_with_garbage_is_refused():
    with pytest.raises(ServiceError):
        interviewer_profiles.clean_photo(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)


def test_oversized_upload_is_refused():
    with pytest.raises(ServiceError) as err:
        interviewer_profiles.clean_photo(b"\xff\xd8\xff" + b"\0" * interviewer_profiles.MAX_UPLOAD)
    assert err.value.msgid == interviewer_profiles.TOO_LARGE


def test_photo_is_reencoded_resized_and_exif_removed():
    data = _png_with_exif()
    assert Image.open(io.BytesIO(data)).getexif()  # the input does carry EXIF
    out = interviewer_profiles.clean_photo(data)
    img = Image.open(io.BytesIO(out))
    assert img.format == "JPEG"
    assert max(img.size) == interviewer_profiles.PHOTO_PX
    assert not img.getexif()
    assert b"SecretCam" not in out


def test_set_photo_stores_file_updates_profile_and_audits(demo):
    with db.session_scope(demo) as s:
        hr = _user(s, "hr")
        profile = s.execute(select(InterviewerProfile)).scalars().first()
        url = interviewer_profiles.set_photo(s, hr, profile.id, _png_with_exif())
        assert url.startswith(routes.INTERVIEWER_PHOTO + "/")
        first = interviewer_profiles.photo_path(url.rsplit("/", 1)[-1])
        assert first.read_bytes()[:3] == b"\xff\xd8\xff"
        assert s.get(InterviewerProfile, profile.id).photo == url
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "interviewer.photo")).scalar_one()
        # a new photo replaces the file: no orphaned portraits pile up
        second = interviewer_profiles.set_photo(s, hr, profile.id, _png_with_exif())
        assert second != url and not first.exists()
        assert interviewer_profiles.photo_path(second.rsplit("/", 1)[-1]).is_file()


def test_photo_names_cannot_reach_outside_the_photo_folder(demo):
    for name in ("../portal.db", "1-abc.jpg", "1-0123456789ab.jpg/../x", ".jpg", "1-0123456789ab.png"):
        assert interviewer_profiles.photo_path(name) is None


def test_candidate_may_not_set_photo(demo):
    with db.session_scope(demo) as s:
        profile = s.execute(select(InterviewerProfile)).scalars().first()
        with pytest.raises(PermissionDenied):
            interviewer_profiles.set_photo(s, _user(s, "candidate"), profile.id, _png_with_exif())
    assert not interviewer_profiles.photo_dir().exists()


# ---------------------------------------------------------------- course CSV

HEADER = "code,title_zh,title_en,format,duration_hours,level,competencies,starts,ends,enrol_by,seats\n"


def test_course_csv_with_one_bad_row_imports_nothing(demo):
    data = (HEADER
            + "NEW-1,新课一,New one,online,2,2,communication,2027-01-10,2027-01-11,2027-01-05,10\n"
            + "NEW-2,新课二,New two,lecture,2,9,nonsense,,,,\n").encode()
    with db.session_scope(demo) as s:
        before = s.execute(select(func.count()).select_from(Course)).scalar_one()
        result = catalogue.import_csv(s, _user(s, "hr"), data)
        assert result.imported == 0
        assert {e.line for e in result.errors} == {3}
        msgs = [e.msgid for e in result.errors]
        assert any("Format" in m for m in msgs) and any("Level" in m for m in msgs)
        assert any(e.params.get("key") == "nonsense" for e in result.errors)
        assert s.execute(select(func.count()).select_from(Course)).scalar_one() == before


def test_course_csv_good_file_imports_courses_tags_and_session(demo):
    data = (HEADER
            + "NEW-1,新课一,New one,online,2,2,communication;teamwork,2027-01-10,2027-01-11,2027-01-05,10\n"
            + "NEW-2,新课二,New two,classroom,1.5,3,problem_solving,,,,\n").encode()
    with db.session_scope(demo) as s:
        result = catalogue.import_csv(s, _user(s, "hr"), data)
        assert result.errors == [] and result.imported == 2
        course = s.execute(select(Course).where(Course.code == "NEW-1")).scalar_one()
        assert course.level == 2
        assert s.execute(select(CourseOffering).where(CourseOffering.course_id == course.id)).scalar_one().seats == 10


def test_course_csv_duplicate_code_is_a_row_error(demo):
    with db.session_scope(demo) as s:
        result = catalogue.import_csv(s, _user(s, "hr"), (HEADER + "COM-101,a,b,online,1,1,communication,,,,\n").encode())
        assert result.imported == 0 and result.errors[0].params == {"code": "COM-101"}


# ---------------------------------------------------------------- templates


def test_unknown_placeholder_is_refused_by_name(demo):
    with db.session_scope(demo) as s:
        with pytest.raises(ServiceError) as err:
            templates.save(s, _user(s, "hr"), "password_reset", "en", "Hi {nmae}", "Go to {link}")
        assert err.value.params["placeholder"] == "nmae"
        assert "nmae" in err.value.translate("en")
        row = s.execute(select(EmailTemplate).where(EmailTemplate.key == "password_reset",
                                                    EmailTemplate.locale == "en")).scalar_one()
        assert "nmae" not in row.subject


@pytest.mark.parametrize("text", ["Hi {name", "Hi name}", "Hi {{name}}", "Hi { name }"])
def test_broken_braces_are_refused(text):
    with pytest.raises(ServiceError):
        templates.validate("password_reset", text)


def test_saved_template_is_used_by_sending_and_audited(demo):
    with db.session_scope(demo) as s:
        templates.save(s, _user(s, "hr"), "password_reset", "en", "Reset for {name}", "Click {link} now")
        subject, body = notifications.render_template(s, "password_reset", "en",
                                                      {"name": "Ann", "link": "https://x"})
        assert (subject, body) == ("Reset for Ann", "Click https://x now")
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "template.edit")).scalar_one()


def test_preview_fills_samples_in_both_languages():
    zh = templates.preview("interview_invitation", "zh_CN", "{job} 面试", "{name}，{time}")
    en = templates.preview("interview_invitation", "en", "{job} interview", "{name} at {time}")
    assert zh == ("产品经理 面试", "张伟，14:00")
    assert en == ("Product Manager interview", "Zhang Wei at 14:00")


def test_candidate_may_not_edit_templates(demo):
    with db.session_scope(demo) as s:
        with pytest.raises(PermissionDenied):
            templates.save(s, _user(s, "candidate"), "password_reset", "en", "x {name}", "y {link}")
