"""The site setting `elderly_one_tap`: the item an elderly citizen's card tap takes at the kiosk."""

from __future__ import annotations

from tests.conftest import Centre
from tests.queue_server.admin.test_admin_api import field_error, put


def test_one_tap_item_must_be_offered_by_the_site(centre: Centre) -> None:
    saved = put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": "K001"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["settings"]["elderly_one_tap"] == "K001"
    assert centre.get("/sites/city-hall").json()["site"]["settings"]["elderly_one_tap"] == "K001"
    # A bundle the site offers will do too.
    assert put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": "Y03"}).status_code == 200

    # The village station does not issue passports.
    refused = put(centre, "/admin/sites/village-jinqiu/settings", {"elderly_one_tap": "F601"})
    error = field_error(refused, "elderly_one_tap")
    assert error["error"] == "field_not_offered" and "F601" in error["message"]
    unknown = put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": "NOPE"}, lang="en")
    assert field_error(unknown, "elderly_one_tap")["error"] == "field_not_offered"
    assert "not offered" in unknown.json()["message"]
    # Left empty, the tap only identifies the citizen.
    cleared = put(centre, "/admin/sites/city-hall/settings", {"elderly_one_tap": ""})
    assert cleared.status_code == 200 and "elderly_one_tap" not in cleared.json()["settings"]
