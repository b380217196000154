from __future__ import annotations

from argon2 import PasswordHasher, Type

from portal.services.accounts import passwords
from portal.services.accounts.passwords import (
    CONTAINS_EMAIL,
    TOO_COMMON,
    TOO_LONG,
    TOO_SHORT,
    password_problems,
)


def test_hash_is_argon2id_with_the_owasp_parameters():
    h = passwords.hash_password("correct horse battery")
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(h, "correct horse battery")
    assert not passwords.verify_password(h, "correct horse batterY")
    assert not passwords.needs_rehash(h)


def test_verify_is_false_for_unusable_input():
    assert not passwords.verify_password(None, "x")
    assert not passwords.verify_password("", "x")
    assert not passwords.verify_password("not-a-hash", "x")
    h = passwords.hash_password("abcdefgh")
    assert not passwords.verify_password(h, "a" * 5000)


def test_weaker_parameters_need_a_rehash():
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash("pw-one-two")
    assert passwords.needs_rehash(old)
    assert passwords.verify_password(old, "pw-one-two")  # still verifies, then gets rehashed


def test_nfkc_normalisation_matches_full_width_input():
    h = passwords.hash_password("ｐａｓｓ１２３４ｗｏｒｄ")  # full-width, as some IMEs type it
    assert passwords.verify_password(h, "pass1234word")


def test_length_counts_code_points():
    assert TOO_SHORT in password_problems("短密码七个字符")  # 7 code points, 21 bytes
    assert password_problems("八个字的中文密码") == []  # 8 code points
    assert password_problems("x" * 7 + "😀") == []
    assert TOO_LONG in password_problems("長" * 129)
    assert TOO_LONG not in password_problems("長" * 128)


def test_any_unicode_and_no_composition_rules():
    assert password_problems("all lower case words") == []
    assert password_problems("我的密码是 tea 与咖啡") == []
    assert password_problems("        spaces ok ") == []


def test_common_passwords_are_refused():
    for pw in ("password", "12345678", "Password", "qwertyuiop", "iloveyou"):
        assert TOO_COMMON in password_problems(pw), pw
    assert len(passwords.common_passwords()) == 10_000
    assert TOO_COMMON not in password_problems("purple-lantern-42")


def test_email_local_part_is_refused_case_insensitively():
    assert CONTAINS_EMAIL in password_problems("my-Zhang.Wei-2026", "zhang.wei@corp.cn")
    assert CONTAINS_EMAIL not in password_problems("my-zw-password-2026", "zw@corp.cn")  # too short to matter
    assert CONTAINS_EMAIL not in password_problems("unrelated phrase", "zhang.wei@corp.cn")


def test_burn_time_runs_a_real_verification():
    passwords.burn_time("anything")  # must not raise, whatever the input
    passwords.burn_time(None)  # type: ignore[arg-type]
