//! Every generated resource through the public API: the exact requests (httpmock) and, against
//! the fake server under every profile that has the resource, every operation and its result.

mod common;

use bitpeak::resources::{
    DnsMonitorUpdate, DomainNameUpdate, GameServerUpdate, HeartbeatUpdate, IncidentComment,
    IntervalUnit, MonitorType, MonitorUpdate, NewDnsMonitor, NewDomainName, NewGameServer,
    NewHeartbeat, NewMonitor, NewProject, NewServerMonitor, ProjectUpdate, Query,
    ServerAlertMetric, ServerAlertRule, ServerMonitorUpdate,
};
use bitpeak::{Client, Error, PerPage, RetryPolicy};
use bitpeak_fake::{FakeConfig, FakeServer, Profile};
use common::*;
use futures::TryStreamExt;
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use serde_json::json;

const AUTH: &str = "Bearer test-key-5f3a9c";

async fn fake(profile: Profile) -> (FakeServer, Client) {
    fake_with(FakeConfig::new().profile(profile)).await
}

async fn fake_with(config: FakeConfig) -> (FakeServer, Client) {
    let server = FakeServer::start(config).await.expect("fake server");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(bitpeak_fake::DEFAULT_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    (server, client)
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("<none>")
}

// ---------------------------------------------------------------------------------------
// The exact requests

#[tokio::test]
async fn create_sends_every_kind_of_field_as_the_servers_read_them() {
    let server = MockServer::start_async().await;
    let expected = fields(&[
        ("name", "Home page"),
        ("target", "https://example.com"),
        ("type", "website"),
        ("project_id", "4"),
        ("ping_servers_ids[]", "1"),
        ("ping_servers_ids[]", "3"),
        ("timeout_seconds", "10"),
        ("is_ok_notifications[]", "7"),
        ("is_enabled", "0"),
        ("request_header_name[]", "X-A"),
        ("request_header_name[]", "X-B"),
        ("request_header_value[]", "1"),
        ("request_header_value[]", "two"),
    ]);
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/monitors")
                .header("authorization", AUTH)
                .is_true(move |r| multipart_fields(r).as_ref() == Some(&expected));
            then.status(201).json_body(json!({"data": {"id": 12}}));
        })
        .await;
    let read_back = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/monitors/12")
                .header("authorization", AUTH);
            then.status(200).json_body(json!({"data": {
                "id": 12, "project_id": 4, "name": "Home page", "type": "website",
                "target": "https://example.com", "port": 0, "is_enabled": false,
                "uptime": "99.5", "settings": {"timeout_seconds": 10}
            }}));
        })
        .await;

    let form = NewMonitor::new(" Home page ", "https://example.com")
        .kind(MonitorType::Website)
        .project_id(4)
        .ping_servers_ids([1, 3])
        .timeout_seconds(10)
        .is_ok_notifications([7])
        .is_enabled(false)
        .request_header_name(["X-A", "X-B"])
        .request_header_value(["1", "two"]);
    let monitor = client(&server).monitors().create(&form).await.unwrap();
    create.assert_calls_async(1).await;
    read_back.assert_calls_async(1).await;
    assert_eq!(monitor.id, 12);
    assert_eq!(text(&monitor.name), "Home page");
    assert_eq!(monitor.project_id, Some(4));
    assert_eq!(monitor.is_enabled, Some(false));
    assert_eq!(monitor.uptime, Some(99.5));
    assert_eq!(monitor.settings.as_ref().unwrap().timeout_seconds, Some(10));
}

#[tokio::test]
async fn a_form_that_breaks_the_spec_is_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let client = client(&server);
    let refused = |e: Error| match e {
        Error::InvalidInput { field, reason } => format!("{field}: {reason}"),
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    let blank = client
        .monitors()
        .create(&NewMonitor::new("  ", "https://example.com"))
        .await;
    assert_eq!(
        refused(blank.unwrap_err()),
        "name: is required and cannot be blank"
    );
    let timeout = NewMonitor::new("A", "https://example.com").timeout_seconds(4);
    let e = refused(client.monitors().create(&timeout).await.unwrap_err());
    assert!(e.starts_with("timeout_seconds: 4 is not allowed"), "{e}");
    let long = NewGameServer::new("x".repeat(65), "play.example.com", 25565);
    let e = refused(client.game_servers().create(&long).await.unwrap_err());
    assert_eq!(e, "name: is 65 characters long; at most 64 are allowed");
    let headers = NewMonitor::new("A", "https://example.com")
        .request_header_name(["X-A", "X-B"])
        .request_header_value(["1"]);
    let e = refused(client.monitors().create(&headers).await.unwrap_err());
    assert_eq!(e, "request_header_name[]: has 2 entries but request_header_value[] has 1; entry i of one goes with entry i of the other");
    let alert = NewServerMonitor::new("Web", "203.0.113.2", 60)
        .alert_metric([ServerAlertMetric::CpuUsage])
        .alert_rule([ServerAlertRule::IsHigher])
        .alert_value([100])
        .alert_trigger([3]);
    let e = refused(client.server_monitors().create(&alert).await.unwrap_err());
    assert!(e.starts_with("alert_value[]: 100 is not allowed"), "{e}");
    let comment = IncidentComment::new().comment("c".repeat(301));
    let e = refused(client.incidents().update(3, &comment).await.unwrap_err());
    assert!(e.starts_with("comment: is 301 characters long"), "{e}");
    let e = refused(client.monitors().get(0).await.unwrap_err());
    assert!(e.starts_with("monitor_id:"), "{e}");
    let query = Query::new().param("colour", "red");
    let e = refused(client.game_servers().list(&query).await.unwrap_err());
    assert!(
        e.starts_with("colour: is not a parameter of game-servers lists"),
        "{e}"
    );
    let query = Query::new().param("order_by", "colour");
    let e = refused(client.game_servers().list(&query).await.unwrap_err());
    assert!(e.starts_with("order_by: must be one of"), "{e}");
    let streamed: Result<Vec<_>, _> = client
        .monitors()
        .list_all(&Query::new().param("type", "x"))
        .try_collect()
        .await;
    assert!(matches!(streamed, Err(Error::InvalidInput { .. })));
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn update_re_sends_what_a_server_would_clear_and_only_that() {
    let server = MockServer::start_async().await;
    let stored = server
        .mock_async(|when, then| {
            when.method(GET).path("/monitors/5");
            then.status(200).json_body(json!({"data": {
                "id": 5, "project_id": 9, "name": "API",
                "settings": {"response_headers": [
                    {"name": "X-Ok", "value": "yes"}, {"name": "X-Empty", "value": null}
                ]}
            }}));
        })
        .await;
    let expected = fields(&[
        ("is_enabled", "0"),
        ("project_id", "9"),
        ("response_header_name[]", "X-Ok"),
        ("response_header_name[]", "X-Empty"),
        ("response_header_value[]", "yes"),
        ("response_header_value[]", ""),
    ]);
    let update = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/monitors/5")
                .is_true(move |r| multipart_fields(r).as_ref() == Some(&expected));
            then.status(200).json_body(json!({"data": {"id": 5}}));
        })
        .await;
    let client = client(&server);
    client
        .monitors()
        .update(5, &MonitorUpdate::new().is_enabled(false))
        .await
        .unwrap();
    update.assert_calls_async(1).await;
    // one read for the stored values, one read back after the `{id}` answer
    stored.assert_calls_async(2).await;

    // A form that sends every resent field needs no read first.
    let projects = server
        .mock_async(|when, then| {
            when.method(POST).path("/projects/2").is_true(|r| {
                multipart_fields(r) == Some(fields(&[("name", "Ops"), ("color", "#fff")]))
            });
            then.status(200).json_body(json!({"data": {"id": 2}}));
        })
        .await;
    let read = server
        .mock_async(|when, then| {
            when.method(GET).path("/projects/2");
            then.status(200)
                .json_body(json!({"data": {"id": 2, "name": "Ops", "color": "#fff"}}));
        })
        .await;
    let project = client
        .projects()
        .update(2, &ProjectUpdate::new().name("Ops").color("#fff"))
        .await
        .unwrap();
    projects.assert_calls_async(1).await;
    read.assert_calls_async(1).await;
    assert_eq!(project.color.as_deref(), Some("#fff"));
}

#[tokio::test]
async fn list_get_and_delete_send_the_spec_s_requests() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/game-servers")
                .header("authorization", AUTH)
                .is_true(|r| {
                    query(r)
                        == pairs(&[
                            ("page", "2"),
                            ("results_per_page", "50"),
                            ("search", "mc"),
                            ("search_by", "name"),
                            ("order_by", "uptime"),
                            ("order_type", "DESC"),
                        ])
                });
            then.status(200).json_body(list_body(
                vec![json!({"id": 3, "name": "mc", "project_id": null, "details": [], "is_enabled": 2}), json!("odd")],
                2,
                50,
                51,
                2,
            ));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/dns-monitors/8");
            then.status(200)
                .json_body(json!({"data": {"id": "8", "dns": {"A": [{"ip": "192.0.2.1"}]}}}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/heartbeats/4")
                .header("authorization", AUTH);
            then.status(200).header("content-type", "application/json");
        })
        .await;
    let client = client(&server);
    let query = Query::new()
        .page(2)
        .per_page(PerPage::P50)
        .param("search", "mc")
        .param("search_by", "name")
        .param("order_by", "uptime")
        .param("order_type", "DESC");
    let page = client.game_servers().list(&query).await.unwrap();
    list.assert_calls_async(1).await;
    assert_eq!(
        (
            page.page,
            page.total,
            page.items.len(),
            page.unreadable.len()
        ),
        (2, Some(51), 1, 1)
    );
    let mc = &page.items[0];
    assert_eq!((mc.id, mc.project_id, mc.is_enabled), (3, None, Some(true)));
    assert_eq!(mc.details, Some(serde_json::Map::new()));
    let dns = client.dns_monitors().get(8).await.unwrap();
    get.assert_calls_async(1).await;
    assert_eq!(dns.id, 8);
    assert_eq!(dns.dns.unwrap()["A"][0].ip.as_deref(), Some("192.0.2.1"));
    client.heartbeats().delete(4).await.unwrap();
    delete.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_heartbeat_is_pinged_at_the_site_root_without_the_key() {
    let server = MockServer::start_async().await;
    let ping = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/webhook-heartbeat/abc123")
                .header_missing("authorization");
            then.status(200);
        })
        .await;
    let client = Client::builder()
        .base_url(format!("{}/api", server.base_url()))
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(client.site_url(), server.base_url());
    client.heartbeats().ping(" abc123 ").await.unwrap();
    ping.assert_calls_async(1).await;
    // A base URL without `/api` is its own site: the ping still goes without the key, and
    // the marker that keeps it keyless never leaves the client.
    let plain = Client::builder()
        .base_url(server.base_url())
        .api_key(KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let marker = server
        .mock_async(|when, then| {
            when.header_exists("x-bitpeak-keyless");
            then.status(500);
        })
        .await;
    plain.heartbeats().ping("abc123").await.unwrap();
    ping.assert_calls_async(2).await;
    marker.assert_calls_async(0).await;
    for bad in ["", "../api/monitors", "a b", "a/b"] {
        let e = client.heartbeats().ping(bad).await.unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref field, .. } if field == "code"),
            "{bad}: {e}"
        );
    }
    ping.assert_calls_async(2).await;
}

// ---------------------------------------------------------------------------------------
// Every operation against the fake server, under every profile that has it

#[tokio::test]
async fn projects_monitors_and_heartbeats_under_every_profile() {
    for profile in Profile::ALL {
        let (server, client) = fake(profile).await;
        let projects = client.projects();
        let project = projects
            .create(&NewProject::new("Production").color("#ff0000"))
            .await
            .unwrap();
        assert_eq!(
            (text(&project.name), text(&project.color)),
            ("Production", "#ff0000"),
            "{profile}"
        );
        let renamed = projects
            .update(project.id, &ProjectUpdate::new().name("Prod"))
            .await
            .unwrap();
        assert_eq!(
            (text(&renamed.name), text(&renamed.color)),
            ("Prod", "#ff0000"),
            "{profile}"
        );

        let monitors = client.monitors();
        let form = NewMonitor::new("API", "https://example.com/health")
            .project_id(project.id as i64)
            .response_header_name(["X-Ok"])
            .response_header_value(["yes"]);
        let monitor = monitors.create(&form).await.unwrap();
        assert_eq!(monitor.project_id, Some(project.id as i64), "{profile}");
        // The update names neither the project nor the headers: both stay.
        let updated = monitors
            .update(
                monitor.id,
                &MonitorUpdate::new().is_enabled(false).name("API v2"),
            )
            .await
            .unwrap();
        assert_eq!(updated.project_id, Some(project.id as i64), "{profile}");
        assert_eq!(updated.is_enabled, Some(false), "{profile}");
        assert_eq!(text(&updated.name), "API v2");
        let headers = updated.settings.as_ref().unwrap().response_headers.as_ref();
        let pairs: Vec<_> = headers
            .unwrap()
            .iter()
            .map(|h| (h.name.as_deref(), h.value.as_deref()))
            .collect();
        assert_eq!(pairs, [(Some("X-Ok"), Some("yes"))], "{profile}");
        let user_id = updated.user_id;
        assert_eq!(
            user_id.is_some(),
            matches!(profile, Profile::V2025 | Profile::V2026),
            "{profile}"
        );

        let heartbeats = client.heartbeats();
        let beat = heartbeats
            .create(
                &NewHeartbeat::new("Nightly backup")
                    .run_interval(2)
                    .run_interval_type(IntervalUnit::Days),
            )
            .await
            .unwrap();
        let renamed = heartbeats
            .update(beat.id, &HeartbeatUpdate::new().name("Backup"))
            .await
            .unwrap();
        let settings = renamed.settings.as_ref().unwrap();
        assert_eq!(
            (settings.run_interval, settings.run_interval_type.clone()),
            (Some(2), Some(IntervalUnit::Days)),
            "{profile}"
        );
        let code = renamed.code.clone().unwrap();
        heartbeats.ping(&code).await.unwrap();
        let again = heartbeats.ping(&code).await.unwrap_err();
        assert!(
            matches!(again, Error::Api { status, .. } if status.as_u16() == 403),
            "{again}"
        );
        assert_eq!(heartbeats.get(beat.id).await.unwrap().total_runs, Some(1));
        let listed = heartbeats.list(&Query::new()).await.unwrap();
        assert_eq!(
            (listed.total, listed.items[0].code.clone()),
            (Some(1), Some(code))
        );

        let all: Vec<_> = monitors
            .list_all(&Query::new())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), [monitor.id]);
        assert_eq!(projects.list(&Query::new()).await.unwrap().total, Some(1));
        monitors.delete(monitor.id).await.unwrap();
        heartbeats.delete(beat.id).await.unwrap();
        projects.delete(project.id).await.unwrap();
        for path in ["projects", "monitors", "heartbeats"] {
            assert_eq!(server.count(path), 0, "{profile} {path}");
        }
        assert!(matches!(
            projects.get(project.id).await,
            Err(Error::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn domain_names_dns_and_server_monitors_where_servers_have_them() {
    for profile in Profile::ALL {
        let (server, client) = fake(profile).await;
        let domains = client.domain_names();
        let domain = domains
            .create(
                &NewDomainName::new("Shop", "example.com")
                    .whois_notifications([3])
                    .whois_notifications_timing(30),
            )
            .await
            .unwrap();
        let whois = domain.whois_notifications.as_ref().unwrap();
        assert_eq!(
            (
                whois.whois_notifications.as_deref(),
                whois.whois_notifications_timing
            ),
            (Some(&[3][..]), Some(30))
        );
        let updated = domains
            .update(domain.id, &DomainNameUpdate::new().is_enabled(false))
            .await
            .unwrap();
        assert_eq!(updated.is_enabled, Some(false));
        let listed = domains.list(&Query::new()).await.unwrap();
        assert_eq!(
            listed.items.iter().map(|d| d.id).collect::<Vec<_>>(),
            [domain.id]
        );
        domains.delete(domain.id).await.unwrap();

        let newer = matches!(profile, Profile::V2025 | Profile::V2026);
        let dns = client
            .dns_monitors()
            .create(
                &NewDnsMonitor::new("DNS", "example.com")
                    .dns_types(["A", "MX"])
                    .notifications([3]),
            )
            .await;
        let servers = client
            .server_monitors()
            .create(
                &NewServerMonitor::new("Web 1", "203.0.113.20", 60)
                    .alert_metric([ServerAlertMetric::CpuUsage])
                    .alert_rule([ServerAlertRule::IsHigher])
                    .alert_value([90])
                    .alert_trigger([3]),
            )
            .await;
        if !newer {
            for e in [
                dns.map(|_| ()).unwrap_err(),
                servers.map(|_| ()).unwrap_err(),
            ] {
                assert!(matches!(e, Error::Unavailable { .. }), "{profile}: {e:?}");
            }
            continue;
        }
        let dns = dns.unwrap();
        assert_eq!(
            dns.settings.as_ref().unwrap().dns_types,
            Some(vec!["A".to_owned(), "MX".to_owned()])
        );
        assert_eq!(dns.notifications, Some(vec![3]));
        let dns2 = client
            .dns_monitors()
            .update(dns.id, &DnsMonitorUpdate::new().name("DNS 2"))
            .await
            .unwrap();
        assert_eq!(text(&dns2.name), "DNS 2");
        let monitor = servers.unwrap();
        let alerts = &monitor.settings.as_ref().unwrap().alerts;
        assert_eq!(
            serde_json::to_value(alerts).unwrap(),
            json!([{"metric": "cpu_usage", "rule": "is_higher", "value": 90, "trigger": 3}])
        );
        let alert = &alerts.as_ref().unwrap()[0];
        assert_eq!(
            (alert.metric.clone(), alert.rule.clone()),
            (
                Some(ServerAlertMetric::CpuUsage),
                Some(ServerAlertRule::IsHigher)
            )
        );
        let renamed = client
            .server_monitors()
            .update(monitor.id, &ServerMonitorUpdate::new().name("Web one"))
            .await
            .unwrap();
        assert_eq!(text(&renamed.name), "Web one");
        let listed = client.server_monitors().list(&Query::new()).await.unwrap();
        assert_eq!(
            listed.items.iter().map(|m| m.id).collect::<Vec<_>>(),
            [monitor.id]
        );
        assert_eq!(
            client
                .dns_monitors()
                .list(&Query::new())
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        client.dns_monitors().delete(dns.id).await.unwrap();
        client.server_monitors().delete(monitor.id).await.unwrap();
        assert_eq!(
            server.count("dns-monitors") + server.count("server-monitors"),
            0
        );
    }
}

#[tokio::test]
async fn game_servers_and_incidents_on_2026_servers() {
    for profile in Profile::ALL {
        let (server, client) = fake(profile).await;
        let games = client.game_servers();
        if profile != Profile::V2026 {
            let e = games.list(&Query::new()).await.unwrap_err();
            assert!(
                matches!(e, Error::Unavailable { ref resource, .. } if resource == "game-servers"),
                "{e:?}"
            );
            let e = client.incidents().get(1).await.unwrap_err();
            assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
            continue;
        }
        let project = client
            .projects()
            .create(&NewProject::new("Games"))
            .await
            .unwrap();
        let created = games
            .create(
                &NewGameServer::new("Survival", "play.example.com", 25565)
                    .project_id(project.id as i64),
            )
            .await
            .unwrap();
        assert_eq!(
            (created.port, created.project_id),
            (Some(25565), Some(project.id as i64))
        );
        assert_eq!(created.details, Some(serde_json::Map::new()));
        let updated = games
            .update(created.id, &GameServerUpdate::new().name("Creative"))
            .await
            .unwrap();
        assert_eq!(
            (text(&updated.name), updated.project_id),
            ("Creative", Some(project.id as i64))
        );
        let query = Query::new()
            .param("search", "crea")
            .param("search_by", "name");
        assert_eq!(games.list(&query).await.unwrap().items.len(), 1);
        let query = Query::new()
            .param("search", "none")
            .param("search_by", "name");
        assert_eq!(games.list(&query).await.unwrap().items.len(), 0);
        games.delete(created.id).await.unwrap();

        server.seed_records(
            "incidents",
            vec![
                json!({"id": 4, "user_id": 1, "monitor_id": 2, "start_monitor_log_id": 10,
                "end_monitor_log_id": 0, "heartbeat_id": 0, "start_heartbeat_log_id": 0,
                "end_heartbeat_log_id": 0, "start_datetime": "2026-03-01 10:00:00",
                "end_datetime": null, "last_failed_check_datetime": "2026-03-01 10:05:00",
                "failed_checks": 3, "notification_handlers_ids": [7], "comment": null}),
            ],
        );
        let incidents = client.incidents();
        let open = incidents.get(4).await.unwrap();
        assert_eq!(
            (open.monitor_id, open.end_datetime, open.comment.clone()),
            (Some(2), None, None)
        );
        let commented = incidents.comment(4, "Provider outage").await.unwrap();
        assert_eq!(text(&commented.comment), "Provider outage");
        let by_monitor = Query::new().param("monitor_id", "2");
        assert_eq!(incidents.list(&by_monitor).await.unwrap().items.len(), 1);
        incidents.delete(4).await.unwrap();
        assert_eq!(server.count("incidents"), 0);
    }
}

#[tokio::test]
async fn plan_limits_and_switched_off_resources() {
    let server = FakeServer::start(
        FakeConfig::new()
            .profile(Profile::V2025)
            .plan_limit("monitors", 1)
            .switch_off("heartbeats"),
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key("fake-key")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client
        .monitors()
        .create(&NewMonitor::new("One", "https://example.com"))
        .await
        .unwrap();
    let e = client
        .monitors()
        .create(&NewMonitor::new("Two", "https://example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Unauthorized { ref titles } if titles[0].contains("plan")),
        "{e:?}"
    );
    let e = client.heartbeats().list(&Query::new()).await.unwrap_err();
    assert!(
        matches!(e, Error::Unavailable { ref resource, .. } if resource == "heartbeats"),
        "{e:?}"
    );
    assert_eq!(server.count("monitors"), 1);
}

#[tokio::test]
async fn pages_statistics_account_and_teams_under_every_profile() {
    use bitpeak::resources::{
        DomainUpdate, NewDomain, NewTeam, NewTeamMember, StatisticsQuery, StatisticsType,
        TeamMemberUpdate, TeamMembershipUpdate, TeamUpdate,
    };
    for profile in Profile::ALL {
        let (server, client) = fake(profile).await;
        server.seed_records(
            "status-pages",
            vec![
                json!({"id": 2, "url": "status", "name": "Status", "domain_id": 0,
                        "monitors_ids": [1], "project_id": 0, "password": false,
                        "is_enabled": true, "datetime": "2026-01-01 00:00:00"}),
            ],
        );
        let pages = client.status_pages();
        assert_eq!(
            pages.list(&Query::new()).await.unwrap().items.len(),
            1,
            "{profile}"
        );
        assert_eq!(text(&pages.get(2).await.unwrap().name), "Status");
        let overview = client
            .statistics(
                2,
                &StatisticsQuery::new(StatisticsType::Overview).between("2026-01-01", "2026-01-31"),
            )
            .await
            .unwrap();
        assert_eq!(
            (overview.rows[0].pageviews, overview.rows[0].visitors),
            (Some(12), Some(5))
        );
        let countries = client
            .statistics(2, &StatisticsQuery::new(StatisticsType::CountryCode))
            .await
            .unwrap();
        let values: Vec<_> = countries
            .rows
            .iter()
            .map(|r| (r.country_code.clone(), r.pageviews))
            .collect();
        assert_eq!(
            values,
            [(Some("example".to_owned()), Some(7)), (None, Some(1))]
        );
        let cities = client
            .statistics(
                2,
                &StatisticsQuery::new(StatisticsType::CityName).param("country_code", "DE"),
            )
            .await
            .unwrap();
        let city = &cities.rows[0];
        assert_eq!(
            (city.city_name.as_deref(), city.country_code.as_deref()),
            (Some("Berlin"), Some("DE"))
        );
        assert_eq!(city.country_name.as_deref(), Some("Germany"));
        assert_eq!(city.pageviews, Some(4));
        for (bad, message) in [
            (
                StatisticsQuery::new(StatisticsType::CityName).param("city", "Berlin"),
                "city: is not a parameter of statistics (they take: [\"type\", \"start_date\", \"end_date\", \"referrer_host\", \"country_code\", \"utm_source\", \"utm_medium\"])",
            ),
            (
                StatisticsQuery::new(StatisticsType::CityName).param("type", "overview"),
                "type: is the query's kind",
            ),
        ] {
            let err = client.statistics(2, &bad).await.unwrap_err();
            assert_eq!(err.to_string(), format!("invalid {message}"));
        }
        let missing = client
            .statistics(9, &StatisticsQuery::new(StatisticsType::Overview))
            .await;
        assert!(
            matches!(missing, Err(Error::NotFound { .. })),
            "{missing:?}"
        );
        let bad = StatisticsQuery::new(StatisticsType::Overview).between("yesterday", "2026-01-31");
        assert!(matches!(
            client.statistics(2, &bad).await,
            Err(Error::InvalidInput { .. })
        ));
        pages.delete(2).await.unwrap();

        let domains = client.domains();
        let domain = domains
            .create(&NewDomain::new("Status.Example.com"))
            .await
            .unwrap();
        assert_eq!(text(&domain.host), "status.example.com", "{profile}");
        // The update leaves `host` out: the client re-sends it, or the server would blank it.
        let updated = domains
            .update(
                domain.id,
                &DomainUpdate::new().custom_index_url("https://example.com"),
            )
            .await
            .unwrap();
        assert_eq!(text(&updated.host), "status.example.com", "{profile}");
        assert_eq!(domains.list(&Query::new()).await.unwrap().items.len(), 1);
        domains.delete(domain.id).await.unwrap();

        let user = client.user().await.unwrap();
        assert_eq!((user.id, text(&user.email)), (1, "owner@example.com"));
        let newest = profile == Profile::V2026;
        assert_eq!(user.status.is_some(), newest, "{profile}");
        assert!(
            !format!("{user:?}").contains("redacted-by-the-fake"),
            "{user:?}"
        );

        server.seed_records("payments", vec![json!({"id": 5, "plan_id": 1, "total_amount": "4.99", "currency": "EUR", "status": true, "datetime": "2026-01-01 00:00:00"})]);
        let payment = client.payments().get(5).await.unwrap();
        assert_eq!(text(&payment.total_amount), "4.99");
        assert_eq!(
            client.payments().list(&Query::new()).await.unwrap().items,
            [payment]
        );
        server.seed_records("logs", vec![json!({"type": "login.success", "ip": "192.0.2.1", "datetime": "2026-01-01 00:00:00"}), json!({"type": "login.success", "ip": "192.0.2.2", "datetime": "2026-01-02 00:00:00"})]);
        let logs: Vec<_> = client
            .logs()
            .list_all(&Query::new())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            logs.iter().map(|l| text(&l.ip)).collect::<Vec<_>>(),
            ["192.0.2.1", "192.0.2.2"]
        );

        let teams = client.teams();
        let team = teams.create(&NewTeam::new("Ops")).await.unwrap();
        let team = teams
            .update(team.id, &TeamUpdate::new().name("Ops team"))
            .await
            .unwrap();
        assert_eq!(text(&team.name), "Ops team");
        assert_eq!(teams.list(&Query::new()).await.unwrap().total, Some(1));
        let members = client.team_members();
        let member = members
            .create(
                &NewTeamMember::new(team.id as i64, "ana@example.com").access(["create.monitors"]),
            )
            .await
            .unwrap();
        let listed = members.list_in(team.id, &Query::new()).await.unwrap();
        assert_eq!(
            listed.items.iter().map(|m| m.id).collect::<Vec<_>>(),
            [member.id]
        );
        // Team members cannot be read by id: the update answers `{id}`, and the members are
        // read through their team.
        let answered = members
            .update(
                member.id,
                &TeamMemberUpdate::new().access(["update.monitors"]),
            )
            .await
            .unwrap();
        assert_eq!((answered.id, answered.access.clone()), (member.id, None));
        let listed = members.list_in(team.id, &Query::new()).await.unwrap();
        let access = listed.items[0].access.clone().unwrap();
        assert_eq!(access.get("update.monitors"), Some(&true));
        let team = teams.get(team.id).await.unwrap();
        assert_eq!(
            team.team_members
                .as_ref()
                .map(|m| m.iter().map(|m| m.user_email.clone()).collect::<Vec<_>>()),
            Some(vec![Some("ana@example.com".to_owned())])
        );
        members.delete(member.id).await.unwrap();
        teams.delete(team.id).await.unwrap();

        server.seed_records("teams-member", vec![json!({"id": 8, "team_id": 3, "name": "Their team", "access": {"read.all": true}, "status": 0, "datetime": "2026-01-01 00:00:00", "last_datetime": null})]);
        let memberships = client.teams_member();
        assert_eq!(
            memberships.list(&Query::new()).await.unwrap().items.len(),
            1
        );
        let accepted = memberships
            .update(8, &TeamMembershipUpdate::new(true))
            .await
            .unwrap();
        assert_eq!(accepted.status, Some(1));
        memberships.delete(8).await.unwrap();
    }
}

/// A resource the server's version lacks, answered by the site's HTML `404` or the API's JSON
/// one: a list or a create (the collection path) is `Unavailable` naming it either way; on a
/// record's path the JSON `404` cannot be told from an unknown id (`NotFound`).
#[tokio::test]
async fn resources_a_version_lacks_are_unavailable_whatever_its_404_body() {
    use bitpeak::catalog::Operation;
    use bitpeak::resources::{NewDnsMonitor, NewGameServer};
    for profile in Profile::ALL {
        for missing_json in [false, true] {
            let config = FakeConfig::new()
                .profile(profile)
                .missing_json(missing_json);
            let (server, client) = fake_with(config).await;
            let mut lacking = Vec::new();
            let lists = bitpeak::catalog::resources()
                .iter()
                .filter(|r| r.has(Operation::List));
            for r in lists {
                match r.list(&client, &Query::new()).await {
                    Ok(_) => {}
                    Err(Error::Unavailable {
                        resource,
                        status,
                        location: None,
                    }) if resource == r.path && status == 404 => lacking.push(r.path),
                    Err(e) => panic!("{profile} {}: {e:?}", r.path),
                }
            }
            let expected: &[&str] = match profile {
                Profile::V2026 => &[],
                Profile::V2025 => &["game-servers", "incidents"],
                _ => &[
                    "dns-monitors",
                    "server-monitors",
                    "game-servers",
                    "incidents",
                ],
            };
            assert_eq!(lacking, expected, "{profile} json {missing_json}");
            if profile == Profile::V2026 {
                continue;
            }
            let e = client
                .game_servers()
                .create(&NewGameServer::new("Game", "203.0.113.9", 27015))
                .await
                .unwrap_err();
            assert!(
                matches!(e, Error::Unavailable { ref resource, .. } if resource == "game-servers"),
                "{e:?}"
            );
            let e = client.game_servers().get(1).await.unwrap_err();
            if missing_json {
                assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
            } else {
                assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
            }
            if profile != Profile::V2025 {
                let e = client
                    .dns_monitors()
                    .create(&NewDnsMonitor::new("DNS", "example.com"))
                    .await
                    .unwrap_err();
                assert_eq!(
                    e.to_string(),
                    "HTTP 404 Not Found: this server has no dns-monitors (its version lacks them, or \
                     its administrator switched them off); check the base URL if that is unexpected"
                );
            }
            assert_eq!(server.count("game-servers"), 0);
        }
    }
}
