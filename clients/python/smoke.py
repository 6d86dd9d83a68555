"""Uses the Python client that openapi-python-client generates from openapi.yaml.

Creates, lists, gets and deletes a handler, then a monitor that notifies it and a heartbeat
(updated, pinged at the site root without the key, deleted), against a running server
(scripts/check-spec runs it against `bitpeak fake-server` under every server profile). With a seed file (the
records the server was started with, `--seed-file`), it also checks that the generated client
reads each of those odd records as stored:

    openapi-python-client generate --path openapi.yaml --meta none --output-path OUT/bitpeak_client
    PYTHONPATH=OUT python clients/python/smoke.py http://127.0.0.1:8080/api fake-key [SEEDS.json]
"""

import json
import sys

from bitpeak_client import AuthenticatedClient, Client
from bitpeak_client.api.heartbeats import (
    create_heartbeat,
    delete_heartbeat,
    get_heartbeat,
    ping_heartbeat,
    update_heartbeat,
)
from bitpeak_client.api.monitors import (
    create_monitor,
    delete_monitor,
    get_monitor,
    list_monitors,
    update_monitor,
)
from bitpeak_client.api.notification_handlers import (
    create_notification_handler,
    delete_notification_handler,
    get_notification_handler,
    list_notification_handlers,
)
from bitpeak_client.models import (
    ErrorResponse,
    HandlerType,
    HeartbeatCreateForm,
    HeartbeatEnvelope,
    HeartbeatMutation,
    HeartbeatUpdateForm,
    HeartbeatUpdateFormRunIntervalType,
    IntervalUnit,
    MonitorCreateForm,
    MonitorEnvelope,
    MonitorList,
    MonitorMutation,
    MonitorType,
    MonitorUpdateForm,
    MonitorUpdateFormIsEnabled,
    NotificationHandlerCreateForm,
    NotificationHandlerEnvelope,
    NotificationHandlerList,
    NotificationHandlerMutation,
    ResultsPerPage,
)


def expect(kind, value):
    if not isinstance(value, kind):
        sys.exit(f"expected {kind.__name__}, got {value!r}")
    return value


def check_seeds(client, seeds: list) -> None:
    """Every seeded record is listed and got, its fields as stored (odd shapes included)."""
    page = list_notification_handlers.sync(client=client, results_per_page=ResultsPerPage.VALUE_100)
    listed = {h.id: h for h in expect(NotificationHandlerList, page).data}
    for seed in seeds:
        for h in (listed[seed["id"]], get_notification_handler.sync(seed["id"], client=client).data):
            assert (h.name, h.type_) == (seed["name"], seed["type"]), (h, seed)
            assert h.datetime_ == seed["datetime"], (h, seed)
            if isinstance(seed["settings"], (str, list)):
                assert h.settings == seed["settings"], (h, seed)
    print(f"read {len(seeds)} seeded records (null type, [] settings, empty and zero dates, …)")


def main(base_url: str, key: str, seeds: list) -> None:
    client = AuthenticatedClient(base_url=base_url, token=key, raise_on_unexpected_status=True)
    with client:
        check_seeds(client, seeds)
        form = NotificationHandlerCreateForm(
            name="From Python", type_=HandlerType.WEBHOOK, webhook="https://example.com/hook"
        )
        created = expect(
            NotificationHandlerMutation,
            create_notification_handler.sync(client=client, body=form),
        )
        handler_id = created.data.id
        print(f"created {handler_id}")

        page = expect(
            NotificationHandlerList,
            list_notification_handlers.sync(client=client, results_per_page=ResultsPerPage.VALUE_100),
        )
        names = {h.id: h.name for h in page.data}
        assert names.get(handler_id) == "From Python", names
        print(f"listed {len(page.data)} of {page.meta.total_pages} page(s)")

        got = expect(
            NotificationHandlerEnvelope,
            get_notification_handler.sync(handler_id, client=client),
        ).data
        assert (got.name, got.type_) == ("From Python", "webhook"), got
        settings = got.settings
        if isinstance(settings, str):  # one server version sends settings JSON-encoded
            assert "https://example.com/hook" in settings, settings
        else:
            assert settings.webhook == "https://example.com/hook", settings
        print(f"got {got.id}: {got.name} ({got.type_}), enabled={got.is_enabled}")

        response = delete_notification_handler.sync_detailed(handler_id, client=client)
        assert response.status_code == 200, response
        missing = get_notification_handler.sync(handler_id, client=client)
        error = expect(ErrorResponse, missing)
        assert str(error.errors[0].status) == "404", error
        print(f"deleted {handler_id}; then GET says: {error.errors[0].title}")
        monitors(client)
        heartbeats(client, base_url)


def monitors(client) -> None:
    """A monitor: created with array fields (`name[]`), listed, updated, got, deleted."""
    form = MonitorCreateForm(
        name="From Python",
        target="https://example.com/health",
        type_=MonitorType.WEBSITE,
        ping_servers_ids=[1],
        request_header_name=["X-Smoke"],
        request_header_value=["yes"],
    )
    monitor_id = expect(MonitorMutation, create_monitor.sync(client=client, body=form)).data.id
    listed = expect(MonitorList, list_monitors.sync(client=client)).data
    assert [m.name for m in listed if m.id == monitor_id] == ["From Python"], listed
    update = MonitorUpdateForm(is_enabled=MonitorUpdateFormIsEnabled.VALUE_0)
    expect(MonitorMutation, update_monitor.sync(monitor_id, client=client, body=update))
    got = expect(MonitorEnvelope, get_monitor.sync(monitor_id, client=client)).data
    assert (got.is_enabled, got.type_) == (False, "website"), got
    headers = got.settings.additional_properties.get("request_headers") if hasattr(got.settings, "additional_properties") else None
    assert headers in (None, [{"name": "X-Smoke", "value": "yes"}]), headers
    assert delete_monitor.sync_detailed(monitor_id, client=client).status_code == 200
    print(f"monitor {monitor_id}: created, listed, disabled, got, deleted")


def heartbeats(client, base_url: str) -> None:
    """A heartbeat: created, renamed, pinged at the site root without the key, deleted."""
    form = HeartbeatCreateForm(name="Nightly", run_interval=1, run_interval_type=IntervalUnit.DAYS)
    beat_id = expect(HeartbeatMutation, create_heartbeat.sync(client=client, body=form)).data.id
    rename = HeartbeatUpdateForm(
        name="Nightly backup", run_interval=1, run_interval_type=HeartbeatUpdateFormRunIntervalType.DAYS
    )
    expect(HeartbeatMutation, update_heartbeat.sync(beat_id, client=client, body=rename))
    beat = expect(HeartbeatEnvelope, get_heartbeat.sync(beat_id, client=client)).data
    assert beat.name == "Nightly backup", beat
    site = Client(base_url=base_url.removesuffix("/api"), raise_on_unexpected_status=True)
    with site:
        assert ping_heartbeat.sync_detailed(beat.code, client=site).status_code == 200
    beat = expect(HeartbeatEnvelope, get_heartbeat.sync(beat_id, client=client)).data
    assert beat.total_runs == 1, beat
    assert delete_heartbeat.sync_detailed(beat_id, client=client).status_code == 200
    print(f"heartbeat {beat_id}: created, renamed, pinged at the site root, deleted")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: smoke.py BASE_URL API_KEY [SEEDS.json]")
    main(sys.argv[1], sys.argv[2], json.load(open(sys.argv[3])) if len(sys.argv) == 4 else [])
