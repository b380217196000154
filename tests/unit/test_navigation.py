from __future__ import annotations

from portal.models import ROLES
from portal.services.navigation import NAV, nav_items


def test_every_role_has_a_menu_and_unknown_roles_get_the_public_one():
    for role in ROLES:
        assert role in NAV
    assert nav_items("intruder", "en") == nav_items("", "en")


def test_labels_follow_the_locale():
    assert [i["label"] for i in nav_items("", "zh_CN")][:2] == ["首页", "开放职位"]
    assert [i["label"] for i in nav_items("", "en")][:2] == ["Home", "Open positions"]
