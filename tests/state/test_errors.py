"""An unexpected exception in an event handler reaches the browser only as an incident id."""

from __future__ import annotations

import logging


def test_backend_exception_shows_an_incident_id_and_no_detail(caplog):
    from portal.portal import _backend_exception_handler
    from state.base import BaseState

    with caplog.at_level(logging.ERROR, logger="portal"):
        spec = _backend_exception_handler(ValueError("SELECT * FROM user -- secret detail"))
    assert spec.handler.fn.__name__ == BaseState.show_incident.fn.__name__
    sent = repr(spec.args)
    assert "secret detail" not in sent and "ValueError" not in sent
    incident = caplog.records[-1].getMessage().split()[-1]
    assert incident in sent  # the same id is in the server log, with the detail
    assert caplog.records[-1].exc_info is not None
