//! The fake server's own table of the API's resources beside notification handlers, as the
//! servers' source has them (API-SURFACE §3, §5.4): which version has which resource and
//! operation, each create form's fields and where the record stores them, the defaults a new
//! record gets, and each resource's quirks. Nothing here comes from the client or the spec.

use serde_json::{json, Value};

use super::Profile;

/// How a form field is stored.
#[derive(Clone, Copy)]
pub(super) enum Ty {
    /// Text, as sent (cleaned).
    Text,
    /// `(int)` of the text.
    Int,
    /// `(int)(bool)`: `1` or `0` (`"false"` is true).
    Bool,
    /// An array field (`name[]`) of integers.
    Ints,
    /// An array field (`name[]`) of texts.
    Texts,
    /// Text, lower-cased (a custom domain's host).
    Lower,
    /// Team access keys (`access[]`): stored as an object of booleans, `read.all` always true.
    Access,
    /// Status codes: one integer (2023; outside 0..=1000 → 0), or from 2025 a comma-separated
    /// list stored as an array (each outside 0..=1000 → 200, duplicates dropped).
    Codes,
}

/// A form field: its name, where the record stores it (`settings.timeout_seconds`; empty: read
/// but not part of the record), its type and the values the server accepts (empty: any).
pub(super) struct Field {
    pub form: &'static str,
    pub at: &'static str,
    pub ty: Ty,
    pub allowed: &'static [&'static str],
}

const fn f(form: &'static str, at: &'static str, ty: Ty) -> Field {
    Field {
        form,
        at,
        ty,
        allowed: &[],
    }
}

const fn one_of(form: &'static str, at: &'static str, allowed: &'static [&'static str]) -> Field {
    Field {
        form,
        at,
        ty: Ty::Text,
        allowed,
    }
}

/// Parallel array fields stored as one array of objects (`request_header_name[]` and
/// `request_header_value[]` → `settings.request_headers: [{name, value}]`).
pub(super) struct Zip {
    pub forms: &'static [&'static str],
    pub keys: &'static [&'static str],
    pub at: &'static str,
}

/// How a resource is addressed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `GET /path` lists, `GET /path/{id}` is one record.
    Collection,
    /// `GET /path` is the one record there is (the user).
    Single,
    /// `GET /path/{id}` lists the records whose field (`team_id`) is `id`; `GET /path` is a
    /// JSON 404.
    ChildrenOf(&'static str),
}

/// The operations a resource has; the others answer the API's JSON 404.
#[derive(Clone, Copy)]
pub(super) struct Ops {
    pub shape: Shape,
    pub get: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

pub(super) const CRUD: Ops = Ops {
    shape: Shape::Collection,
    get: true,
    create: true,
    update: true,
    delete: true,
};

const READ_ONLY: Ops = Ops {
    shape: Shape::Collection,
    get: true,
    create: false,
    update: false,
    delete: false,
};

/// One resource.
pub(super) struct Resource {
    pub path: &'static str,
    /// The first server version that has it (2023 for the document profile too).
    pub since: u16,
    pub ops: Ops,
    /// Required create fields.
    pub required: &'static [&'static str],
    pub fields: &'static [Field],
    pub zips: &'static [Zip],
    /// Form fields an update resets to their default when it leaves them out, from which
    /// version.
    pub reset_when_omitted: &'static [(&'static str, u16)],
    /// Whether create and update answer the whole record (from 2026) instead of `{id}`.
    pub whole_answers: bool,
    /// 2026 list filters: equality fields, `search_by` fields, `order_by` fields.
    pub filters: &'static [&'static str],
    pub search_by: &'static [&'static str],
    pub order_by: &'static [&'static str],
    /// Fields added by 2025 servers (left out of older answers).
    pub since_2025: &'static [&'static str],
    /// A new record, before its form is applied.
    pub defaults: fn(Profile) -> Value,
}

/// The version a profile stands for (the document profile describes a 2023-era server).
pub(super) fn version(profile: Profile) -> u16 {
    match profile {
        Profile::Document | Profile::V2023 => 2023,
        Profile::V2025 => 2025,
        Profile::V2026 => 2026,
    }
}

const INTERVAL_UNITS: &[&str] = &["seconds", "minutes", "hours", "days"];
const TIMINGS: &[&str] = &["1", "2", "3", "7", "14", "30", "60"];

/// What a resource has unless its entry says otherwise: a 2023 collection with every
/// operation, no form fields, no quirks.
const BASE: Resource = Resource {
    path: "",
    since: 2023,
    ops: CRUD,
    required: &[],
    fields: &[],
    zips: &[],
    reset_when_omitted: &[],
    whole_answers: false,
    filters: &[],
    search_by: &[],
    order_by: &[],
    since_2025: &[],
    defaults: |_| json!({}),
};

pub(super) const RESOURCES: &[Resource] = &[
    Resource {
        path: "projects",
        required: &["name"],
        fields: &[f("name", "name", Ty::Text), f("color", "color", Ty::Text)],
        since_2025: &["user_id"],
        defaults: |p| {
            let color = if version(p) >= 2025 {
                "#000000"
            } else {
                "#000"
            };
            json!({"user_id": 1, "name": "", "color": color, "last_datetime": null})
        },
        ..BASE
    },
    Resource {
        path: "monitors",
        required: &["name", "target"],
        fields: &[
            f("name", "name", Ty::Text),
            f("target", "target", Ty::Text),
            one_of("type", "type", &["website", "ping", "port"]),
            f("port", "port", Ty::Int),
            f("project_id", "project_id", Ty::Int),
            f("ping_servers_ids[]", "ping_servers_ids", Ty::Ints),
            f(
                "check_interval_seconds",
                "settings.check_interval_seconds",
                Ty::Int,
            ),
            f("timeout_seconds", "settings.timeout_seconds", Ty::Int),
            f("is_ok_notifications[]", "notifications.is_ok", Ty::Ints),
            f("email_reports_is_enabled", "", Ty::Bool),
            f("is_enabled", "is_enabled", Ty::Bool),
            one_of(
                "request_method",
                "settings.request_method",
                &["HEAD", "GET", "POST", "PUT", "PATCH"],
            ),
            f("request_body", "settings.request_body", Ty::Text),
            f(
                "request_basic_auth_username",
                "settings.request_basic_auth_username",
                Ty::Text,
            ),
            f(
                "request_basic_auth_password",
                "settings.request_basic_auth_password",
                Ty::Text,
            ),
            f(
                "response_status_code",
                "settings.response_status_code",
                Ty::Codes,
            ),
            f("response_body", "settings.response_body", Ty::Text),
            one_of("ping_ipv", "settings.ping_ipv", &["ipv4", "ipv6"]),
            f(
                "cache_buster_is_enabled",
                "settings.cache_buster_is_enabled",
                Ty::Bool,
            ),
            f(
                "verify_ssl_is_enabled",
                "settings.verify_ssl_is_enabled",
                Ty::Bool,
            ),
            f("follow_redirects", "settings.follow_redirects", Ty::Int),
        ],
        zips: &[
            Zip {
                forms: &["request_header_name[]", "request_header_value[]"],
                keys: &["name", "value"],
                at: "settings.request_headers",
            },
            Zip {
                forms: &["response_header_name[]", "response_header_value[]"],
                keys: &["name", "value"],
                at: "settings.response_headers",
            },
        ],
        // Both versions clear the project; 2025 also wipes the response headers.
        reset_when_omitted: &[("project_id", 2023), ("response_header_name[]", 2025)],
        since_2025: &["user_id", "last_datetime"],
        defaults: |p| {
            let mut settings = json!({
                "check_interval_seconds": 3600, "timeout_seconds": 5, "request_method": "HEAD",
                "request_body": "", "request_basic_auth_username": "",
                "request_basic_auth_password": "", "request_headers": [],
                "response_status_code": 200, "response_body": "", "response_headers": [],
            });
            if version(p) >= 2025 {
                settings["response_status_code"] = json!([200]);
                settings["ping_ipv"] = json!("ipv4");
                settings["follow_redirects"] = json!(1);
                settings["cache_buster_is_enabled"] = json!(0);
                settings["verify_ssl_is_enabled"] = json!(0);
            }
            json!({
                "user_id": 1, "project_id": 0, "name": "", "type": "website", "target": "",
                "port": 0, "settings": settings, "ping_servers_ids": [1], "is_ok": 1,
                "uptime": 100.0, "downtime": 0.0, "average_response_time": 0.0,
                "total_checks": 0, "total_ok_checks": 0, "total_not_ok_checks": 0,
                "last_check_datetime": null, "notifications": {"is_ok": []},
                "is_enabled": 1, "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "heartbeats",
        required: &["name"],
        fields: &[
            f("name", "name", Ty::Text),
            f("run_interval", "settings.run_interval", Ty::Int),
            one_of(
                "run_interval_type",
                "settings.run_interval_type",
                INTERVAL_UNITS,
            ),
            f("run_interval_grace", "settings.run_interval_grace", Ty::Int),
            one_of(
                "run_interval_grace_type",
                "settings.run_interval_grace_type",
                INTERVAL_UNITS,
            ),
            f("project_id", "project_id", Ty::Int),
            f("is_ok_notifications[]", "notifications.is_ok", Ty::Ints),
            f("email_reports_is_enabled", "", Ty::Bool),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        // 2023 servers read omitted intervals from columns that do not exist.
        reset_when_omitted: &[
            ("run_interval", 2023),
            ("run_interval_type", 2023),
            ("run_interval_grace", 2023),
            ("run_interval_grace_type", 2023),
        ],
        since_2025: &["user_id", "last_datetime"],
        defaults: |_| {
            json!({
                "user_id": 1, "project_id": 0, "name": "", "code": "",
                "settings": {"run_interval": 1, "run_interval_type": "hours",
                             "run_interval_grace": 5, "run_interval_grace_type": "minutes"},
                "is_ok": 1, "uptime": 100.0, "downtime": 0.0, "total_runs": 0,
                "total_missed_runs": 0, "last_run_datetime": null,
                "notifications": {"is_ok": []}, "is_enabled": 1, "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "domain-names",
        required: &["name", "target"],
        fields: &[
            f("name", "name", Ty::Text),
            f("target", "target", Ty::Text),
            f("project_id", "project_id", Ty::Int),
            f(
                "whois_notifications[]",
                "whois_notifications.whois_notifications",
                Ty::Ints,
            ),
            one_of(
                "whois_notifications_timing",
                "whois_notifications.whois_notifications_timing",
                TIMINGS,
            ),
            f(
                "ssl_notifications[]",
                "ssl_notifications.ssl_notifications",
                Ty::Ints,
            ),
            one_of(
                "ssl_notifications_timing",
                "ssl_notifications.ssl_notifications_timing",
                TIMINGS,
            ),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        defaults: |_| {
            json!({
                "project_id": 0, "name": "", "target": "", "whois": null,
                "whois_notifications": {"whois_notifications": [], "whois_notifications_timing": 1},
                "ssl": null,
                "ssl_notifications": {"ssl_notifications": [], "ssl_notifications_timing": 1},
                "total_checks": 0, "last_check_datetime": null,
                "next_check_datetime": "2026-01-01 00:00:00", "is_enabled": 1,
                "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "dns-monitors",
        since: 2025,
        required: &["name", "target"],
        fields: &[
            f("name", "name", Ty::Text),
            f("target", "target", Ty::Text),
            f(
                "dns_check_interval_seconds",
                "settings.dns_check_interval_seconds",
                Ty::Int,
            ),
            f("project_id", "project_id", Ty::Int),
            f("notifications[]", "notifications", Ty::Ints),
            f("dns_types[]", "settings.dns_types", Ty::Texts),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        defaults: |_| {
            json!({
                "user_id": 1, "project_id": 0, "name": "", "target": "", "dns": null,
                "notifications": [],
                "settings": {"dns_check_interval_seconds": 3600,
                             "dns_types": ["A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "CAA"]},
                "total_checks": 0, "total_changes": 0, "last_check_datetime": null,
                "next_check_datetime": null, "last_change_datetime": null, "is_enabled": 1,
                "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "server-monitors",
        since: 2025,
        required: &["name", "target", "server_check_interval_seconds"],
        fields: &[
            f("name", "name", Ty::Text),
            f("target", "target", Ty::Text),
            f(
                "server_check_interval_seconds",
                "settings.server_check_interval_seconds",
                Ty::Int,
            ),
            f("project_id", "project_id", Ty::Int),
            f("notifications[]", "notifications", Ty::Ints),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        zips: &[Zip {
            forms: &[
                "alert_metric[]",
                "alert_rule[]",
                "alert_value[]",
                "alert_trigger[]",
            ],
            keys: &["metric", "rule", "value", "trigger"],
            at: "settings.alerts",
        }],
        defaults: |_| {
            json!({
                "user_id": 1, "project_id": 0, "name": "", "target": "", "notifications": [],
                "settings": {"server_check_interval_seconds": 60, "alerts": []},
                "uptime": 0, "network_total_download": 0, "network_download": 0,
                "network_total_upload": 0, "network_upload": 0, "os_name": null,
                "os_version": null, "kernel_name": null, "kernel_version": null,
                "kernel_release": null, "cpu_architecture": null, "cpu_model": null,
                "cpu_cores": 0, "cpu_frequency": 0, "cpu_usage": 0.0, "ram_usage": 0.0,
                "ram_used": 0.0, "ram_total": 0.0, "disk_usage": 0.0, "disk_used": 0.0,
                "disk_total": 0.0, "cpu_load_1": 0.0, "cpu_load_5": 0.0, "cpu_load_15": 0.0,
                "is_enabled": 1, "total_logs": 0, "last_log_datetime": null,
                "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "game-servers",
        since: 2026,
        required: &["name", "target", "port"],
        fields: &[
            f("name", "name", Ty::Text),
            f("target", "target", Ty::Text),
            f("port", "port", Ty::Int),
            f("query_port", "query_port", Ty::Int),
            f("type", "type", Ty::Text),
            f(
                "check_interval_seconds",
                "settings.check_interval_seconds",
                Ty::Int,
            ),
            f("timeout_seconds", "settings.timeout_seconds", Ty::Int),
            f("project_id", "project_id", Ty::Int),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        reset_when_omitted: &[("project_id", 2026)],
        whole_answers: true,
        filters: &["is_enabled", "type", "project_id"],
        search_by: &["name", "target"],
        order_by: &[
            "last_datetime",
            "datetime",
            "last_check_datetime",
            "name",
            "uptime",
            "average_response_time",
        ],
        defaults: |_| {
            json!({
                "user_id": 1, "project_id": 0, "name": "", "type": "minecraft", "target": "",
                "port": 0, "query_port": 0,
                "settings": {"check_interval_seconds": 300, "timeout_seconds": 5},
                "online_players": 0, "maximum_online_players": 0, "details": {},
                "uptime": 100.0, "downtime": 0.0, "average_response_time": 0.0,
                "average_online_players": 0.0, "total_checks": 0, "total_ok_checks": 0,
                "total_not_ok_checks": 0, "last_check_datetime": null,
                "next_check_datetime": null, "is_enabled": 1, "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "incidents",
        since: 2026,
        ops: Ops {
            create: false,
            ..CRUD
        },
        fields: &[f("comment", "comment", Ty::Text)],
        whole_answers: true,
        filters: &["monitor_id", "heartbeat_id"],
        search_by: &["comment"],
        order_by: &[
            "start_datetime",
            "end_datetime",
            "last_failed_check_datetime",
            "failed_checks",
        ],
        ..BASE
    },
    Resource {
        path: "status-pages",
        ops: Ops {
            delete: true,
            ..READ_ONLY
        },
        since_2025: &["user_id", "heartbeats_ids", "last_datetime"],
        ..BASE
    },
    Resource {
        path: "domains",
        required: &["host"],
        fields: &[
            f("host", "host", Ty::Lower),
            one_of("scheme", "scheme", &["http://", "https://"]),
            f("custom_index_url", "custom_index_url", Ty::Text),
            f("custom_not_found_url", "custom_not_found_url", Ty::Text),
        ],
        // An update without `host` blanks it (a bug of theirs).
        reset_when_omitted: &[("host", 2023)],
        defaults: |_| {
            json!({
                "scheme": "https://", "host": "", "custom_index_url": null,
                "custom_not_found_url": null, "is_enabled": 0, "last_datetime": null,
            })
        },
        ..BASE
    },
    Resource {
        path: "user",
        ops: Ops {
            shape: Shape::Single,
            get: false,
            ..READ_ONLY
        },
        ..BASE
    },
    Resource {
        path: "payments",
        ops: READ_ONLY,
        ..BASE
    },
    Resource {
        path: "logs",
        ops: Ops {
            get: false,
            ..READ_ONLY
        },
        ..BASE
    },
    Resource {
        path: "teams",
        required: &["name"],
        fields: &[f("name", "name", Ty::Text)],
        since_2025: &["user_id"],
        defaults: |_| json!({"user_id": 1, "name": "", "team_members": [], "last_datetime": null}),
        ..BASE
    },
    Resource {
        path: "team-members",
        ops: Ops {
            shape: Shape::ChildrenOf("team_id"),
            get: false,
            ..CRUD
        },
        required: &["team_id", "user_email"],
        fields: &[
            f("team_id", "team_id", Ty::Int),
            f("user_email", "user_email", Ty::Text),
            f("access[]", "access", Ty::Access),
        ],
        defaults: |_| {
            json!({"team_id": 0, "user_id": 0, "user_email": "", "access": {"read.all": true},
                   "status": 0, "last_datetime": null})
        },
        ..BASE
    },
    Resource {
        path: "teams-member",
        ops: Ops {
            update: true,
            delete: true,
            ..READ_ONLY
        },
        fields: &[Field {
            form: "status",
            at: "status",
            ty: Ty::Int,
            allowed: &["0", "1"],
        }],
        ..BASE
    },
];

/// The resource at `path` on a server of `profile`, if it has it.
pub(super) fn find(path: &str, profile: Profile) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.path == path && version(profile) >= r.since)
}
