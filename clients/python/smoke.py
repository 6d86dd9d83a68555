"""Uses the Python client that openapi-python-client generates from openapi.yaml.

Creates, lists, gets and deletes a handler against a running server (scripts/check-spec
runs it against `bitpeak fake-server` under every server profile). With a seed file (the
records the server was started with, `--seed-file`), it also checks that the generated client
reads each of those odd records as stored:

    openapi-python-client generate --path openapi.yaml --meta none --output-path OUT/bitpeak_client
    PYTHONPATH=OUT python clients/python/smoke.py http://127.0.0.1:8080/api fake-key [SEEDS.json]
"""

import json
import sys

from bitpeak_client import AuthenticatedClient
from bitpeak_client.api.notification_handlers import (
    create_notification_handler,
    delete_notification_handler,
    get_notification_handler,
    list_notification_handlers,
)
from bitpeak_client.models import (
    ErrorResponse,
    HandlerType,
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


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: smoke.py BASE_URL API_KEY [SEEDS.json]")
    main(sys.argv[1], sys.argv[2], json.load(open(sys.argv[3])) if len(sys.argv) == 4 else [])
