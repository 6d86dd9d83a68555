//! The fake server's own table of the API's resources, as the servers' source has them
//! (API-SURFACE §3, §5.4): which version has which resource and operation, each create form's
//! fields and where the record stores them, the defaults a new record gets, the answer shapes
//! of each version, and each resource's quirks. Nothing here comes from the client or the spec.

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
    /// A switch read as an integer: `1` or `0` (any other integer is on, text is off).
    Switch,
}

/// A form field: its name, where the record stores it (`notifications.is_ok`; a path ending in
/// `.` goes on with the form's name less `[]`, so `timeout_seconds` at `settings.` is stored at
/// `settings.timeout_seconds`; empty: read but not part of the record), its type, the values
/// the server accepts (empty: any) and how many characters it may have once cleaned (fewer is
/// a blank field, more is refused).
pub(super) struct Field {
    pub form: &'static str,
    pub at: &'static str,
    pub ty: Ty,
    pub allowed: &'static [&'static str],
    pub chars: Option<(usize, usize)>,
}

const fn f(form: &'static str, at: &'static str, ty: Ty) -> Field {
    Field {
        form,
        at,
        ty,
        allowed: &[],
        chars: None,
    }
}

const fn one_of(form: &'static str, at: &'static str, allowed: &'static [&'static str]) -> Field {
    Field {
        allowed,
        ..f(form, at, Ty::Text)
    }
}

/// A union: the form field `tag` picks a variant, stored under the same name (a tag the server
/// does not support is stored as `null`), and the variant's own form fields are stored as one
/// object at `at`, missing ones empty. An update keeps what it does not re-send of an
/// unchanged variant.
pub(super) struct Union {
    pub tag: &'static str,
    pub at: &'static str,
    /// Each variant and its fields (form name = key in the object).
    pub variants: &'static [(&'static str, &'static [&'static str])],
    /// Keys a variant's object is answered with, empty, beside its fields.
    pub constants: &'static [(&'static str, &'static str)],
    /// From this version an update naming an unsupported tag stores the object `{"": ""}`.
    pub unsupported_update_since: u16,
    /// The version that answers the object as JSON text; the others answer an empty one as
    /// PHP's empty array.
    pub text_in: u16,
    pub confirm: Option<Confirm>,
}

/// A variant field whose new value waits for its owner's confirmation (an email address): from
/// `since` a record created with one, or updated to a new one while on, is `is_enabled: 2`, and
/// stays so whatever an update sends; from `flag_since` the variant's object is answered with
/// `flag`, `0` while waiting and `1` otherwise.
pub(super) struct Confirm {
    pub variant: &'static str,
    pub field: &'static str,
    pub since: u16,
    pub flag: &'static str,
    pub flag_since: u16,
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
    pub union: Option<Union>,
    /// Form fields only an update reads (a create ignores them).
    pub update_only: &'static [&'static str],
    /// Form fields an update that leaves them out reads as if it had sent this text (back to
    /// the default, mostly), on which server profiles.
    pub reset_when_omitted: &'static [(&'static str, &'static [Profile], &'static str)],
    /// Whether an update sets `last_datetime`.
    pub stamps_updates: bool,
    /// The version from which create and update answer the whole record instead of `{id}`.
    pub whole_answers_since: u16,
    /// List filters, from `filters_since`: equality fields, `search_by` fields (and the one
    /// searched when `search_by` is not sent, if any), `order_by` fields.
    pub filters_since: u16,
    pub filters: &'static [&'static str],
    pub search_by: &'static [&'static str],
    pub search_by_default: Option<&'static str>,
    pub order_by: &'static [&'static str],
    /// Fields added by 2025 servers (left out of older answers).
    pub since_2025: &'static [&'static str],
    /// The version before which `is_enabled` is answered as a boolean (by default every one).
    pub bool_before: u16,
    /// Whether 2025 lists fill `last_datetime` from `datetime` (a bug of theirs).
    pub list_copies_datetime: bool,
    /// Whether seeded records are answered exactly as seeded, and an update writes only what
    /// its form sends into them (no resets, no confirmations).
    pub seeds_as_given: bool,
    /// A new record, before its form is applied.
    pub defaults: fn(Profile) -> Value,
}

/// A version no server has: what is "from" it never happens.
const NEVER: u16 = u16::MAX;

/// The version a profile stands for (the document profile describes a 2023-era server).
pub(super) fn version(profile: Profile) -> u16 {
    match profile {
        Profile::Document | Profile::V2023 => 2023,
        Profile::V2025 => 2025,
        Profile::V2026 => 2026,
    }
}

const FROM_2025: &[Profile] = &[Profile::V2025, Profile::V2026];
const INTERVAL_UNITS: &[&str] = &["seconds", "minutes", "hours", "days"];
const TIMINGS: &[&str] = &["1", "2", "3", "7", "14", "30", "60"];
const METHODS: &[&str] = &["HEAD", "GET", "POST", "PUT", "PATCH"];

/// What a resource has unless its entry says otherwise: a 2023 collection with every
/// operation, no form fields, no quirks.
const BASE: Resource = Resource {
    path: "",
    since: 2023,
    ops: CRUD,
    required: &[],
    fields: &[],
    zips: &[],
    union: None,
    update_only: &[],
    reset_when_omitted: &[],
    stamps_updates: true,
    whole_answers_since: NEVER,
    filters_since: 2026,
    filters: &[],
    search_by: &[],
    search_by_default: None,
    order_by: &[],
    since_2025: &[],
    bool_before: NEVER,
    list_copies_datetime: true,
    seeds_as_given: false,
    defaults: |_| json!({}),
};

/// The notification handler types these servers support and each one's settings fields
/// (API-SURFACE §3.12; SERVER-BEHAVIOUR).
const HANDLER_TYPES: &[(&str, &[&str])] = &[
    ("email", &["email"]),
    ("webhook", &["webhook"]),
    ("slack", &["slack"]),
    ("discord", &["discord"]),
    ("telegram", &["telegram", "telegram_chat_id"]),
    ("microsoft_teams", &["microsoft_teams"]),
    (
        "x",
        &[
            "x_consumer_key",
            "x_consumer_secret",
            "x_access_token",
            "x_access_token_secret",
        ],
    ),
    ("google_chat", &["google_chat"]),
    ("internal_notification", &[]),
];

pub(super) const RESOURCES: &[Resource] = &[
    // API-SURFACE §3.12 and SERVER-BEHAVIOUR; the answer shapes of each profile (lib.rs).
    Resource {
        path: "notification-handlers",
        required: &["name"],
        fields: &[
            Field {
                chars: Some((1, 128)),
                ..f("name", "name", Ty::Text)
            },
            f("is_enabled", "is_enabled", Ty::Switch),
        ],
        // The type is required too: a union's tag is.
        union: Some(Union {
            tag: "type",
            at: "settings",
            variants: HANDLER_TYPES,
            constants: &[("internal_notification", "internal_notification")],
            unsupported_update_since: 2026,
            text_in: 2025,
            confirm: Some(Confirm {
                variant: "email",
                field: "email",
                since: 2026,
                flag: "email_is_confirmed",
                flag_since: 2025,
            }),
        }),
        update_only: &["is_enabled"],
        // 2023 servers reset what is not re-sent: the type, an email handler's address, and
        // the handler is switched off.
        reset_when_omitted: &[
            ("type", &[Profile::V2023], ""),
            ("email", &[Profile::V2023], ""),
            ("is_enabled", &[Profile::V2023], "0"),
        ],
        stamps_updates: false,
        whole_answers_since: 2025,
        filters_since: 2025,
        filters: &["type"],
        search_by: &["name"],
        search_by_default: Some("name"),
        order_by: &["datetime", "last_datetime", "name"],
        since_2025: &["user_id"],
        bool_before: 2025,
        list_copies_datetime: false,
        seeds_as_given: true,
        defaults: |_| {
            json!({"user_id": 1, "type": null, "name": "", "settings": {}, "is_enabled": 1,
                   "last_datetime": null})
        },
        ..BASE
    },
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
            f("check_interval_seconds", "settings.", Ty::Int),
            f("timeout_seconds", "settings.", Ty::Int),
            f("is_ok_notifications[]", "notifications.is_ok", Ty::Ints),
            f("email_reports_is_enabled", "", Ty::Bool),
            f("is_enabled", "is_enabled", Ty::Bool),
            one_of("request_method", "settings.", METHODS),
            f("request_body", "settings.", Ty::Text),
            f("request_basic_auth_username", "settings.", Ty::Text),
            f("request_basic_auth_password", "settings.", Ty::Text),
            f("response_status_code", "settings.", Ty::Codes),
            f("response_body", "settings.", Ty::Text),
            one_of("ping_ipv", "settings.", &["ipv4", "ipv6"]),
            f("cache_buster_is_enabled", "settings.", Ty::Bool),
            f("verify_ssl_is_enabled", "settings.", Ty::Bool),
            f("follow_redirects", "settings.", Ty::Int),
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
        reset_when_omitted: &[
            ("project_id", &Profile::ALL, "0"),
            ("response_header_name[]", FROM_2025, ""),
        ],
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
            f("run_interval", "settings.", Ty::Int),
            one_of("run_interval_type", "settings.", INTERVAL_UNITS),
            f("run_interval_grace", "settings.", Ty::Int),
            one_of("run_interval_grace_type", "settings.", INTERVAL_UNITS),
            f("project_id", "project_id", Ty::Int),
            f("is_ok_notifications[]", "notifications.is_ok", Ty::Ints),
            f("email_reports_is_enabled", "", Ty::Bool),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        // 2023 servers read omitted intervals from columns that do not exist.
        reset_when_omitted: &[
            ("run_interval", &Profile::ALL, "1"),
            ("run_interval_type", &Profile::ALL, "hours"),
            ("run_interval_grace", &Profile::ALL, "5"),
            ("run_interval_grace_type", &Profile::ALL, "minutes"),
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
            f("whois_notifications[]", "whois_notifications.", Ty::Ints),
            one_of(
                "whois_notifications_timing",
                "whois_notifications.",
                TIMINGS,
            ),
            f("ssl_notifications[]", "ssl_notifications.", Ty::Ints),
            one_of("ssl_notifications_timing", "ssl_notifications.", TIMINGS),
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
            f("dns_check_interval_seconds", "settings.", Ty::Int),
            f("project_id", "project_id", Ty::Int),
            f("notifications[]", "notifications", Ty::Ints),
            f("dns_types[]", "settings.", Ty::Texts),
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
            f("server_check_interval_seconds", "settings.", Ty::Int),
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
            f("check_interval_seconds", "settings.", Ty::Int),
            f("timeout_seconds", "settings.", Ty::Int),
            f("project_id", "project_id", Ty::Int),
            f("is_enabled", "is_enabled", Ty::Bool),
        ],
        reset_when_omitted: &[("project_id", &[Profile::V2026], "0")],
        whole_answers_since: 2026,
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
        whole_answers_since: 2026,
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
        reset_when_omitted: &[("host", &Profile::ALL, "")],
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
            ty: Ty::Int,
            ..one_of("status", "status", &["0", "1"])
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
