from __future__ import annotations

from portal.models import ROLES
from portal.services.platform.navigation import NAV, nav_items


def test_every_role_has_a_menu_and_unknown_roles_get_the_public_one():
    for role in ROLES:
        assert role in NAV
    assert nav_items("intruder", "en") == nav_items("", "en")


def test_labels_follow_the_locale():
    assert [i["label"] for i in nav_items("", "zh_CN")][:2] == ["首页", "开放职位"]
    assert [i["label"] for i in nav_items("", "en")][:2] == ["Home", "Open positions"]


def test_the_menu_only_offers_pages_the_role_may_open():
    from portal import models
    from portal.services.accounts import access

    for role in ROLES:
        user = models.User(id=1, email="x@example.com", role=role)
        for item in nav_items(role, "en"):
            assert access.can_open(user, item["href"]), (role, item["href"])
    assert [i["href"] for i in nav_items("admin", "en")].count("/admin/audit") == 1
    assert "/admin/audit" not in [i["href"] for i in nav_items("hr", "en")]


def test_hr_reach_the_decisions_from_the_menu_and_the_admin_keeps_invitations():
    for role in ("hr", "hr_manager"):
        hrefs = [i["href"] for i in nav_items(role, "zh_CN")]
        assert "/hr/decisions" in hrefs and hrefs.index("/hr/decisions") < hrefs.index("/hr")
    assert {"label": "决定确认", "href": "/hr/decisions"} in nav_items("hr", "zh_CN")
    admin = [i["href"] for i in nav_items("admin", "en")]
    assert "/hr/invitations" in admin and "/hr/decisions" not in admin
