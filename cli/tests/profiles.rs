//! Named profiles (`--profile`, `BITPEAK_PROFILE`, the config file `BITPEAK_CONFIG` names): two
//! fake servers as two profiles, one's export applied to the other through a pipe; the
//! precedence of flags, the selected profile, the environment and the `default` profile; the
//! config file's refusals, naming the file and the line; `bitpeak profiles`, never showing a key.
//! Every run has only the environment it is given: no `BITPEAK_BASE_URL`, `BITPEAK_API_KEY` or
//! `BITPEAK_PROFILE` of the developer's leaks in.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bitpeak_fake::{FakeConfig, FakeServer, Profile};

const STAGING_KEY: &str = "staging-key-4e1f";
const PROD_KEY: &str = "prod-key-9c2a";
/// The variable the staging profile reads its key from.
const STAGING_VAR: &str = "BITPEAK_TEST_STAGING_KEY";

/// A small account: projects, a handler, a monitor referring to both.
const ACCOUNT: &str = r##"
projects:
  Production:
    color: "#ff0000"
  Staging:
    color: "#00ff00"
notification_handlers:
  On-call:
    type: email
    email: oncall@example.com
monitors:
  Home page:
    type: website
    target: https://example.com
    project: Production
    is_ok_notifications: [On-call]
"##;

struct Fake {
    _rt: tokio::runtime::Runtime,
    server: FakeServer,
}

/// A fake server accepting `key`.
fn fake(key: &str) -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = FakeConfig::new().profile(Profile::V2026).key(key);
    let server = rt.block_on(FakeServer::start(config)).unwrap();
    Fake { _rt: rt, server }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bitpeak-profiles-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the config file `dir/config.toml` with permissions `mode`.
fn config(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    path
}

/// The config file of the two fakes: `staging` (key from [`STAGING_VAR`]) and `prod` (key in
/// the file), written `0600`.
fn two_profiles(dir: &Path, staging: &Fake, prod: &Fake) -> PathBuf {
    let text = format!(
        "# two servers\n[profiles.staging]\nbase_url = \"{}\"\napi_key_env = \"{STAGING_VAR}\"\n\n\
         [profiles.prod]\nbase_url = \"{}\"\napi_key = \"{PROD_KEY}\"\n",
        staging.server.base_url(),
        prod.server.base_url()
    );
    config(dir, &text, 0o600)
}

/// `bitpeak <args>` with `config` as its config file, `vars` as the only BitPeak variables and
/// `input` on stdin: (stdout, stderr, exit code).
fn run(config: &Path, vars: &[(&str, &str)], args: &[&str], input: &str) -> (String, String, i32) {
    let mut cmd = Command::cargo_bin("bitpeak").unwrap();
    cmd.env("BITPEAK_CONFIG", config)
        .env_remove("BITPEAK_BASE_URL")
        .env_remove("BITPEAK_API_KEY")
        .env_remove("BITPEAK_PROFILE")
        .env_remove(STAGING_VAR)
        .env_remove("RUST_LOG");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let output = cmd.args(args).write_stdin(input).output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// The projects' names the command lists, as JSON.
fn project_names(config: &Path, vars: &[(&str, &str)], args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend(["projects", "list", "--output", "json"]);
    let (out, err, code) = run(config, vars, &all, "");
    assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let name = |p: &serde_json::Value| p["name"].as_str().unwrap_or_default().to_owned();
    list.iter().map(name).collect()
}

#[test]
fn export_from_one_profile_piped_into_apply_to_another_reproduces_the_account() {
    let dir = temp_dir("roundtrip");
    let (staging, prod) = (fake(STAGING_KEY), fake(PROD_KEY));
    let config = two_profiles(&dir, &staging, &prod);
    let file = dir.join("account.yaml");
    std::fs::write(&file, ACCOUNT).unwrap();
    let file = file.to_string_lossy().into_owned();
    let key = [(STAGING_VAR, STAGING_KEY)];

    let (_, err, code) = run(&config, &key, &["--profile", "prod", "apply", &file], "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(prod.server.count("projects"), 2);
    assert_eq!(staging.server.count("projects"), 0);

    let (exported, err, code) = run(&config, &key, &["--profile", "prod", "export"], "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(exported.contains("Home page"), "{exported}");
    let staging_apply = ["--profile", "staging", "apply", "-"];
    let (_, err, code) = run(&config, &key, &staging_apply, &exported);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(staging.server.count("projects"), 2);
    assert_eq!(staging.server.count("monitors"), 1);
    let staging_export = run(&config, &key, &["--profile", "staging", "export"], "");
    assert_eq!(staging_export, (exported, String::new(), 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flags_beat_the_profile_which_beats_the_environment_which_beats_default() {
    let dir = temp_dir("precedence");
    let (staging, prod) = (fake(STAGING_KEY), fake(PROD_KEY));
    let config = two_profiles(&dir, &staging, &prod);
    let create = [
        "--profile",
        "prod",
        "projects",
        "create",
        "--name",
        "Only on prod",
    ];
    assert_eq!(run(&config, &[], &create, "").2, 0);
    let prod_names = vec!["Only on prod".to_owned()];
    let staging_env = [
        ("BITPEAK_BASE_URL", staging.server.base_url()),
        ("BITPEAK_API_KEY", STAGING_KEY),
    ];

    // The profile's URL and key, though the environment names the other server.
    let names = project_names(&config, &staging_env, &["--profile", "prod"]);
    assert_eq!(names, prod_names);
    // BITPEAK_PROFILE selects as --profile does (after the command too).
    let vars = [("BITPEAK_PROFILE", "prod"), staging_env[0], staging_env[1]];
    assert_eq!(project_names(&config, &vars, &[]), prod_names);
    // Flags beat the profile, wherever they are written.
    let flags = ["--api-key", STAGING_KEY, "--profile", "prod", "--base-url"];
    let mut args = flags.to_vec();
    args.push(staging.server.base_url());
    assert!(project_names(&config, &[], &args).is_empty());
    // One flag replaces only its own setting: prod's key is refused by staging.
    let url = [
        "--profile",
        "prod",
        "--base-url",
        staging.server.base_url(),
        "user",
    ];
    assert_eq!(run(&config, &[], &url, "").2, 3);
    // Without a profile, the environment is used.
    assert!(project_names(&config, &staging_env, &[]).is_empty());
    // An empty BITPEAK_PROFILE selects none.
    let vars = [("BITPEAK_PROFILE", ""), staging_env[0], staging_env[1]];
    assert!(project_names(&config, &vars, &[]).is_empty());

    // `default`: used when neither flags nor the environment give a setting; a profile that
    // omits a setting falls through to the environment, then to `default`.
    let text = format!(
        "[profiles.default]\nbase_url = \"{}\"\napi_key = \"{PROD_KEY}\"\n\n\
         [profiles.url-only]\nbase_url = \"{}\"\n",
        prod.server.base_url(),
        staging.server.base_url()
    );
    let config = self::config(&dir, &text, 0o600);
    assert_eq!(project_names(&config, &[], &[]), prod_names);
    assert!(project_names(&config, &staging_env, &[]).is_empty());
    let key_only = [("BITPEAK_API_KEY", STAGING_KEY)];
    let names = project_names(&config, &key_only, &["--profile", "url-only"]);
    assert!(names.is_empty(), "staging's URL, the environment's key");
    let (_, err, code) = run(&config, &[], &["--profile", "url-only", "user"], "");
    assert_eq!(code, 3, "staging's URL with default's key, prod's: {err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_config_file_is_refused_naming_the_file_and_line() {
    let dir = temp_dir("refused");
    let path = dir.join("config.toml");
    let shown = path.display().to_string();
    let fails = |text: &str, mode: u32, args: &[&str]| {
        let config = config(&dir, text, mode);
        let (out, err, code) = run(&config, &[], args, "");
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert!(!err.contains("s3cr3t"), "a key is never shown: {err}");
        err
    };
    let user = ["user"];
    let two = "[profiles.staging]\nbase_url = \"http://127.0.0.1:9/api\"\n\n\
               [profiles.prod]\napi_key_env = \"BITPEAK_TEST_NO_SUCH_VAR\"\n";

    assert_eq!(
        fails(two, 0o600, &["--profile", "nope", "user"]),
        format!("bitpeak: {shown}: no profile \"nope\" (profiles: \"staging\", \"prod\")\n")
    );
    assert_eq!(
        fails(two, 0o600, &["--profile", "prod", "user"]),
        format!(
            "bitpeak: {shown}: profile \"prod\" (line 5): api_key_env names \
             BITPEAK_TEST_NO_SUCH_VAR, which is not set\n"
        )
    );
    assert_eq!(
        fails("[profiles.a]\nbase_url = \"http://x\n", 0o600, &user),
        format!("bitpeak: {shown}: line 2: invalid basic string, expected `\"`\n")
    );
    assert_eq!(
        fails(
            "[profiles.a]\nbase_url = \"http://x/api\"\napi-key = \"s3cr3t\"\n",
            0o600,
            &user
        ),
        format!(
            "bitpeak: {shown}: line 3: unknown field `api-key`, expected one of `base_url`, \
             `api_key_env`, `api_key`\n"
        )
    );
    assert_eq!(
        fails("[profile.a]\nbase_url = \"http://x/api\"\n", 0o600, &user),
        format!("bitpeak: {shown}: line 1: unknown field `profile`, expected `profiles`\n")
    );
    let both = "[profiles.a]\napi_key_env = \"K\"\napi_key = \"s3cr3t\"\n";
    assert_eq!(
        fails(both, 0o600, &user),
        format!(
            "bitpeak: {shown}: profile \"a\" (line 1): has both api_key_env and api_key: \
             keep one\n"
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn an_api_key_in_a_file_others_can_read_is_refused() {
    let dir = temp_dir("mode");
    let path = dir.join("config.toml");
    let shown = path.display().to_string();
    let text = "[profiles.ci]\nbase_url = \"http://127.0.0.1:9/api\"\n\n\
                [profiles.prod]\nbase_url = \"http://127.0.0.1:9/api\"\napi_key = \"s3cr3t-k3y\"\n";
    let config = config(&dir, text, 0o644);
    let refusal = format!(
        "bitpeak: {shown}: holds an api_key (profile \"prod\", line 6) but is readable by \
         others (mode 0644): chmod 600 {shown}, or use api_key_env\n"
    );
    for args in [&["--profile", "ci", "user"][..], &["user"], &["profiles"]] {
        let (out, err, code) = run(&config, &[], args, "");
        assert_eq!(
            (out.as_str(), err.as_str(), code),
            ("", refusal.as_str(), 2)
        );
    }
    // Settings from the environment never read the file: a broken one does not stop them.
    let fake = fake(STAGING_KEY);
    let env = [
        ("BITPEAK_BASE_URL", fake.server.base_url()),
        ("BITPEAK_API_KEY", STAGING_KEY),
    ];
    assert!(project_names(&config, &env, &[]).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_config_file_is_fine_until_a_profile_is_asked_for() {
    let dir = temp_dir("missing");
    let path = dir.join("absent.toml");
    let shown = path.display().to_string();
    let (out, err, code) = run(&path, &[], &["profiles"], "");
    assert_eq!(
        (out, err, code),
        (format!("no config file at {shown}\n"), String::new(), 0)
    );
    let (out, err, code) = run(&path, &[], &["profiles", "--output", "json"], "");
    let note = format!("bitpeak: no config file at {shown}\n");
    assert_eq!((out.as_str(), err, code), ("[]\n", note, 0));
    let (_, err, code) = run(&path, &[], &["--profile", "prod", "user"], "");
    assert_eq!(
        (err, code),
        (
            format!("bitpeak: profile \"prod\": no config file at {shown}\n"),
            2
        )
    );
    let (_, err, code) = run(&path, &[], &["user"], "");
    assert_eq!(
        (err.as_str(), code),
        (
            "bitpeak: no API key: pass --api-key, set BITPEAK_API_KEY, or use a profile with a \
             key (bitpeak profiles)\n",
            2
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn profiles_lists_each_profile_and_where_its_key_comes_from_never_the_key() {
    let dir = temp_dir("list");
    let text = format!(
        "[profiles.staging]\nbase_url = \"http://127.0.0.1:9/api\"\napi_key_env = \"{STAGING_VAR}\"\n\n\
         [profiles.prod]\nbase_url = \"http://127.0.0.1:8/api\"\napi_key = \"{PROD_KEY}\"\n\n\
         [profiles.\"odd\\u001b[31m\"]\napi_key_env = \"BITPEAK_TEST_NO_SUCH_VAR\"\n\n\
         [profiles.default]\n"
    );
    let config = self::config(&dir, &text, 0o600);
    let shown = config.display().to_string();
    let key = [(STAGING_VAR, STAGING_KEY)];
    let (out, err, code) = run(&config, &key, &["profiles"], "");
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        out,
        format!(
            "config: {shown}\n\
             NAME           BASE_URL                           KEY                                     SELECTED\n\
             staging        http://127.0.0.1:9/api             env {STAGING_VAR} (set)      no\n\
             prod           http://127.0.0.1:8/api             in the file                             no\n\
             odd\\u{{1b}}[31m  https://bitpeak.ru/api (built-in)  env BITPEAK_TEST_NO_SUCH_VAR (not set)  no\n\
             default        https://bitpeak.ru/api (built-in)  none                                    yes\n"
        )
    );
    let vars = [
        ("BITPEAK_PROFILE", "prod"),
        ("BITPEAK_BASE_URL", "http://env.example/api"),
    ];
    let (out, err, code) = run(&config, &vars, &["profiles", "--output", "json"], "");
    assert_eq!((err, code), (format!("bitpeak: config: {shown}\n"), 0));
    assert!(
        !out.contains(PROD_KEY) && !out.contains(STAGING_KEY),
        "{out}"
    );
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        list[1],
        serde_json::json!({"name": "prod", "base_url": "http://127.0.0.1:8/api", "from": null,
            "key": "in the file", "selected": true})
    );
    assert_eq!(
        list[3],
        serde_json::json!({"name": "default", "base_url": "http://env.example/api",
            "from": "BITPEAK_BASE_URL", "key": "none", "selected": false})
    );
    let (out, _, code) = run(&config, &[], &["profiles", "--output", "jsonl"], "");
    assert_eq!((out.lines().count(), code), (4, 0));
    let _ = std::fs::remove_dir_all(&dir);
}
