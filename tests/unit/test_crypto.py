from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from sqlmodel import select

from portal import models
from portal.services.platform import audit, crypto, db
from portal.services.platform.errors import ServiceError


@pytest.fixture(autouse=True)
def data_dir(isolated_data_dir):
    return isolated_data_dir


PHONE = "13800138000"
ID_NUMBER = "11010119900307123X"
TRANSCRIPT = "去年双十一期间我负责处理客户投诉 SECRET-TRANSCRIPT-42"


def _raw_bytes(url: str) -> bytes:
    engine = db.get_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(url.removeprefix("sqlite:///"))
    data = path.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = Path(str(path) + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


def _seed(session) -> tuple[int, int]:
    user = models.User(email="li.lei@example.cn", display_name="VISIBLE-MARKER",
                       phone_enc=crypto.encrypt(PHONE), id_number_enc=crypto.encrypt(ID_NUMBER))
    job = models.Job(code="J1", title_zh="客服专员", title_en="Service agent")
    session.add_all([user, job])
    session.flush()
    cm = models.CompetencyModel(job_id=job.id)
    q = models.Question(job_id=job.id, text_zh="问题", text_en="Question")
    session.add_all([cm, q])
    session.flush()
    answer = models.Answer(user_id=user.id, question_id=q.id, model_id=cm.id,
                           transcript_enc=crypto.encrypt(TRANSCRIPT))
    session.add(answer)
    session.flush()
    return user.id, answer.id


def test_round_trip_format_and_fresh_nonce():
    token = crypto.encrypt("张三 +86 138")
    version, kid, blob = token.split(":", 2)
    assert version == "v1" and kid == crypto.load_keyring().current
    assert len(base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))) == 12 + len("张三 +86 138".encode()) + 16
    assert crypto.decrypt(token) == "张三 +86 138"
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_keyring_file_is_created_0600(data_dir):
    crypto.encrypt("x")
    path = data_dir / "secrets" / "keyring.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = json.loads(path.read_text())
    assert ring["current"] in ring["keys"]
    assert len(base64.b64decode(ring["keys"][ring["current"]])) == 32


def test_tampered_or_relabelled_values_do_not_decrypt():
    token = crypto.encrypt("secret")
    head, blob = token.rsplit(":", 1)
    flipped = blob[:-2] + ("A" if blob[-2] != "A" else "B") + blob[-1]
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(f"{head}:{flipped}")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt("plain text")


def test_relabelling_to_another_key_fails(monkeypatch):
    k1, k2 = os.urandom(32), os.urandom(32)
    ring = {"current": "a", "keys": {"a": base64.b64encode(k1).decode(), "b": base64.b64encode(k1).decode()}}
    monkeypatch.setenv(crypto.ENV_VAR, json.dumps(ring))
    token = crypto.encrypt("bound to a")
    with pytest.raises(crypto.CryptoError):  # same key bytes, other id: the AAD no longer matches
        crypto.decrypt(token.replace("v1:a:", "v1:b:"))
    _ = k2


def test_keys_from_environment_and_rotation_refused(monkeypatch, db_url):
    ring = {"current": "env1", "keys": {"env1": base64.b64encode(os.urandom(32)).decode()}}
    monkeypatch.setenv(crypto.ENV_VAR, json.dumps(ring))
    token = crypto.encrypt("x")
    assert token.startswith("v1:env1:")
    with db.session_scope(db_url) as session, pytest.raises(crypto.CryptoError):
        crypto.rotate_keys(session)


def test_bad_environment_keyring_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(crypto.ENV_VAR, json.dumps({"current": "a", "keys": {"a": "c2hvcnQ="}}))
    with pytest.raises(crypto.CryptoError, match="32"):
        crypto.encrypt("x")


def test_plaintext_never_reaches_the_database_file_and_rotation(db_url, data_dir):
    with db.session_scope(db_url) as session:
        user_id, answer_id = _seed(session)
    raw = _raw_bytes(db_url)
    assert b"VISIBLE-MARKER" in raw  # the check can see plain columns
    for secret in (PHONE, ID_NUMBER, TRANSCRIPT, "SECRET-TRANSCRIPT-42", "双十一"):
        assert secret.encode("utf-8") not in raw, secret

    old_kid = crypto.load_keyring().current
    straggler = crypto.encrypt("written by a process that has not seen the rotation")
    with db.session_scope(db_url) as session:
        assert crypto.key_usage(session)[old_kid] == 3
        with pytest.raises(ServiceError) as err:
            crypto.remove_key(session, old_kid)
        assert err.value.msgid == crypto.KEY_IS_CURRENT
        assert crypto.rotate_keys(session, actor="test") == 2  # the user row and the answer row
    new_kid = crypto.load_keyring().current
    assert new_kid != old_kid

    with db.session_scope(db_url) as session:
        user = session.get(models.User, user_id)
        assert user.phone_enc.startswith(f"v1:{new_kid}:")
        note_user = models.User(email="late@example.cn", phone_enc=straggler)
        session.add(note_user)
    with db.session_scope(db_url) as session:
        with pytest.raises(ServiceError) as err:
            crypto.remove_key(session, old_kid)
        assert err.value.msgid == crypto.KEY_IN_USE
        assert crypto.reencrypt_all(session) == 1
    with db.session_scope(db_url) as session:
        crypto.remove_key(session, old_kid)
    assert old_kid not in crypto.load_keyring().keys
    assert stat.S_IMODE((data_dir / "secrets" / "keyring.json").stat().st_mode) == 0o600

    crypto.reset_cache()
    with db.session_scope(db_url) as session:
        user = session.get(models.User, user_id)
        answer = session.get(models.Answer, answer_id)
        assert crypto.decrypt(user.phone_enc) == PHONE
        assert crypto.decrypt(user.id_number_enc) == ID_NUMBER
        assert crypto.decrypt(answer.transcript_enc) == TRANSCRIPT
        actions = session.exec(select(models.AuditEvent.action).order_by(models.AuditEvent.id)).all()
        assert actions == ["keys.rotate", "keys.remove"]
        assert audit.verify_chain(session) == (True, None)
    raw = _raw_bytes(db_url)
    for secret in (PHONE, ID_NUMBER, TRANSCRIPT):
        assert secret.encode("utf-8") not in raw


def test_encrypted_columns_are_discovered_from_the_models():
    found = {(t.name, c.name) for t, cols in crypto.encrypted_columns() for c in cols}
    assert {("user", "phone_enc"), ("user", "id_number_enc"), ("user", "totp_secret_enc"),
            ("answer", "transcript_enc"), ("competencyscore", "evidence_enc")} <= found


def test_cli_usage(db_url, capsys):
    crypto.encrypt("x")
    assert crypto.main(["--db", db_url, "usage"]) == 0
    assert "(current): 0" in capsys.readouterr().out
