//! The config file's every mistake, in-process (no binary, no built
//! plugin): each is named with its key and why, and all are reported at
//! once. `check_config.rs` runs the binary for what needs real plugins.

use crate::common;

use std::path::Path;

use common::config::minimal_config;
use smsdesk::config::Config;

/// Parses the minimal config with `edit` applied; its problems as
/// `key: message` lines (empty when valid). Plugin files exist but are not
/// loaded: their world is `check_config.rs`'s business.
fn problems(edit: impl Fn(String) -> String) -> Vec<String> {
    let (_dir, path, read) = read_minimal(edit);
    match read {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .0
            .iter()
            .map(|e| {
                assert_eq!(e.file, path, "every problem names the file");
                if e.key.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.key, e.message)
                }
            })
            .collect(),
    }
}

/// The minimal config with `edit` applied, read: (its directory, its path, what reading gave).
fn read_minimal(
    edit: impl Fn(String) -> String,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Result<Config, smsdesk::config::ConfigErrors>,
) {
    let dir = tempfile::tempdir().unwrap();
    let (twilio, router) = (dir.path().join("twilio.wasm"), dir.path().join("router.wasm"));
    std::fs::write(&twilio, b"").unwrap();
    std::fs::write(&router, b"").unwrap();
    let path = dir.path().join("smsdesk.toml");
    let text = edit(minimal_config(&twilio, &router));
    let env = |name: &str| (name == "TEST_TWILIO_TOKEN").then(|| "secret".to_owned());
    let read = Config::parse(&path, &text, &env);
    (dir, path, read)
}

/// The minimal config with `edit` applied, read (it must be valid).
fn parsed(edit: impl Fn(String) -> String) -> Config {
    read_minimal(edit).2.unwrap()
}

fn one(edit: impl Fn(String) -> String) -> String {
    let p = problems(edit);
    assert_eq!(p.len(), 1, "{p:#?}");
    p[0].clone()
}

#[test]
fn the_minimal_config_is_valid_and_read_as_written() {
    assert_eq!(problems(|t| t), Vec::<String>::new());
    let dir = tempfile::tempdir().unwrap();
    let (twilio, router) = (dir.path().join("t.wasm"), dir.path().join("r.wasm"));
    std::fs::write(&twilio, b"").unwrap();
    std::fs::write(&router, b"").unwrap();
    let path = dir.path().join("smsdesk.toml");
    let env = |_: &str| Some("secret".to_owned());
    let c = Config::parse(&path, &minimal_config(&twilio, &router), &env).unwrap();
    assert_eq!(c.storage, dir.path().join("data"), "relative to the config file");
    assert_eq!(c.matrix_store_dir(), dir.path().join("data/matrix"));
    assert_eq!(c.dead_letters_dir(), dir.path().join("data/dead-letters"));
    assert_eq!(c.plugin_cache_dir(), dir.path().join("data/plugin-cache"));
    assert_eq!(c.carriers[0].secrets, [("auth_token".to_owned(), "secret".to_owned())]);
    assert_eq!(c.carriers[0].settings, [("account_sid".to_owned(), "AC123".to_owned())]);
    assert_eq!(c.roster[0].user.as_str(), "@alice:example.com");
    assert_eq!(c.entry_points[0].send_rate, 1.0, "long codes send 1/s by default");
}

#[test]
fn unknown_key() {
    assert_eq!(
        one(|t| t.replace("offer_timeout = \"60s\"", "offer_timeout = \"60s\"\nofer_timeout = \"5s\"")),
        "queues[0].ofer_timeout: unknown key; expected one of: name, router, router_settings, offer_timeout, auto_wrapup, wrapup_reasons, sticky, sticky_wait, hours, timezone, holidays, closed_reply, greeting, busy_reply, busy_after, inactivity, sla"
    );
    assert_eq!(
        one(|t| format!("colour = \"blue\"\n{t}")),
        "colour: unknown key; expected one of: storage, http, matrix, carriers, entry_points, queues, agents, plugins, compliance, supervisors, supervisor, canned, desk"
    );
}

#[test]
fn bad_number_format() {
    let p = one(|t| t.replace("number = \"+15550001111\"", "number = \"555-0001\""));
    assert!(
        p.starts_with("entry_points[0].number: \"555-0001\" is not an entry number"),
        "{p}"
    );
}

#[test]
fn kind_that_does_not_match_the_number() {
    assert_eq!(
        one(|t| t.replace("kind = \"long-code\"", "kind = \"short-code\"")),
        "entry_points[0].kind: +15550001111 is an E.164 number, but kind is short code"
    );
    assert!(one(|t| t.replace("kind = \"long-code\"", "kind = \"long code\"")).starts_with("entry_points[0].kind: "));
}

#[test]
fn unknown_queue_and_carrier() {
    let p = problems(|t| {
        t.replace("queue = \"billing\"", "queue = \"biling\"")
            .replace("carrier = \"twilio\"", "carrier = \"twillio\"")
    });
    assert_eq!(
        p,
        [
            "entry_points[0].carrier: unknown carrier \"twillio\"; carriers: twilio",
            "entry_points[0].queue: unknown queue \"biling\"; queues: billing"
        ]
    );
    assert_eq!(
        one(|t| t.replace("queues = [\"billing\"]", "queues = [\"sales\"]")),
        "agents.roster[0].queues[0]: unknown queue \"sales\"; queues: billing"
    );
}

#[test]
fn missing_plugin_file() {
    let p = one(|t| {
        let start = t.find("plugin = \"").unwrap() + "plugin = \"".len();
        let end = start + t[start..].find('"').unwrap();
        format!("{}/nonexistent/twilio.wasm{}", &t[..start], &t[end..])
    });
    assert_eq!(p, "carriers[0].plugin: file /nonexistent/twilio.wasm does not exist");
}

#[test]
fn duplicates_are_named() {
    assert_eq!(
        one(|t| {
            t.replace(
            "[[queues]]",
            "[[entry_points]]\nnumber = \"+15550001111\"\nkind = \"long-code\"\ncarrier = \"twilio\"\nqueue = \"billing\"\n\n[[queues]]",
        )
        }),
        "entry_points[1].number: entry number +15550001111 is defined twice"
    );
    assert_eq!(
        one(|t| format!("{t}\n[[queues]]\nname = \"billing\"\n")),
        "queues[1].name: queue \"billing\" is defined twice"
    );
    assert_eq!(
        one(|t| format!("{t}\n[[agents.roster]]\nmatrix_id = \"@alice:example.com\"\n")),
        "agents.roster[1].matrix_id: agent @alice:example.com is listed twice"
    );
}

#[test]
fn bad_duration() {
    assert_eq!(
        one(|t| t.replace("offer_timeout = \"60s\"", "offer_timeout = \"60\"")),
        "queues[0].offer_timeout: \"60\" has no unit; write e.g. \"60s\""
    );
    assert_eq!(
        one(|t| t.replace("auto_wrapup = \"off\"", "auto_wrapup = \"soon\"")),
        "queues[0].auto_wrapup: \"soon\" is not a duration; write e.g. \"30s\", \"2m\", \"500ms\", or \"off\""
    );
    assert_eq!(
        one(|t| t.replace("offer_timeout = \"60s\"", "offer_timeout = \"0s\"")),
        "queues[0].offer_timeout: must be more than zero"
    );
}

#[test]
fn bad_matrix_ids_are_named() {
    let p = one(|t| t.replace("matrix_id = \"@alice:example.com\"", "matrix_id = \"alice\""));
    assert!(
        p.starts_with("agents.roster[0].matrix_id: \"alice\" is not a Matrix user id like \"@alice:example.com\""),
        "{p}"
    );
    let p = one(|t| {
        format!("{t}\n[matrix]\nhomeserver = \"http://127.0.0.1:8008\"\nuser = \"smsdesk\"\npassword = \"x\"\n")
    });
    assert!(p.starts_with("matrix.user: \"smsdesk\" is not a Matrix user id"), "{p}");
    assert_eq!(
        one(|t| format!("{t}\n[matrix]\nhomeserver = \"http://127.0.0.1:8008\"\nuser = \"@bot:hs\"\n")),
        "matrix: missing password or access_token"
    );
}

#[test]
fn missing_environment_variable() {
    assert_eq!(
        one(|t| t.replace("TEST_TWILIO_TOKEN", "UNSET_VARIABLE_FOR_SMSDESK_TEST")),
        "carriers[0].config.auth_token: environment variable UNSET_VARIABLE_FOR_SMSDESK_TEST is not set"
    );
}

#[test]
fn an_empty_secret_is_refused_before_every_webhook_fails_its_signature() {
    // TWILIO_AUTH_TOKEN="" in the environment: without this check every
    // webhook would be refused as "bad signature" with no hint why.
    let dir = tempfile::tempdir().unwrap();
    let (twilio, router) = (dir.path().join("t.wasm"), dir.path().join("r.wasm"));
    std::fs::write(&twilio, b"").unwrap();
    std::fs::write(&router, b"").unwrap();
    let path = dir.path().join("smsdesk.toml");
    let text = minimal_config(&twilio, &router);
    let env = |name: &str| (name == "TEST_TWILIO_TOKEN").then(String::new);
    let errors = Config::parse(&path, &text, &env).unwrap_err();
    assert_eq!(
        errors.0.iter().map(|e| format!("{}: {}", e.key, e.message)).collect::<Vec<_>>(),
        ["carriers[0].config.auth_token: is empty: its environment variable is set but empty; give the secret's value"]
    );
    assert_eq!(
        one(|t| t.replace("[agents]", "[carriers.secrets]\nwebhook_salt = \" \"\n\n[agents]")),
        "carriers[0].secrets.webhook_salt: is empty: give the secret's value"
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let p = problems(|t| {
        t.replace("offer_timeout = \"60s\"", "offer_timeout = \"soon\"")
            .replace("listen = \"127.0.0.1:8080\"", "listen = \"localhost\"")
            .replace("queue = \"billing\"", "queue = \"nope\"")
            .replace("[agents]", "[agents]\nmood = \"happy\"")
    });
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(p.iter().any(|l| l.starts_with("http.listen:")));
    assert!(p.iter().any(|l| l.starts_with("queues[0].offer_timeout:")));
    assert!(p.iter().any(|l| l.starts_with("entry_points[0].queue:")));
    assert!(p.iter().any(|l| l.starts_with("agents.mood: unknown key")));
}

#[test]
fn invalid_toml_names_the_line() {
    let p = one(|t| t.replace("[http]", "[http"));
    assert!(p.starts_with("not valid TOML"), "{p}");
    assert!(p.contains("line"), "{p}");
}

#[test]
fn more_skills_than_routing_can_see() {
    let many: Vec<String> = (0..65).map(|i| format!("\"skill{i}\"")).collect();
    let line = format!("queues = [\"billing\"]\nskills = [{}]", many.join(", "));
    assert_eq!(
        one(|t| t.replacen("queues = [\"billing\"]", &line, 1)),
        "skills: 65 different skill names are used (entry_points and agents.roster); routing supports at most 64"
    );
}

#[test]
fn missing_sections_and_bad_types() {
    let p = problems(|t| t.replace("[storage]\npath = \"data\"", ""));
    assert_eq!(p, ["storage: missing [storage] table (with path = \"data/smsdesk\")"]);
    assert_eq!(
        one(|t| t.replace(
            "allowed_hosts = [\"api.twilio.com\"]",
            "allowed_hosts = \"api.twilio.com\""
        )),
        "carriers[0].allowed_hosts: expected an array of strings, found a string"
    );
    assert_eq!(
        one(|t| t.replace("[[entry_points]]", "[[entry_points]]\nsend_rate = 0")),
        "entry_points[0].send_rate: expected messages per second (a positive number), found zero or less"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_named() {
    let errors = Config::load(Path::new("/nonexistent/smsdesk.toml")).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert!(
        errors.0[0].message.starts_with("cannot read the config file"),
        "{errors}"
    );
}

#[test]
fn toll_free_numbers_must_say_so_in_north_america() {
    assert_eq!(
        one(|t| t.replace("+15550001111", "+18005550100")),
        "entry_points[0].kind: +18005550100 is a toll-free number (+1 800), but kind is long code; write kind = \"toll-free\""
    );
    let p = one(|t| t.replace("kind = \"long-code\"", "kind = \"toll-free\""));
    assert!(
        p.starts_with(
            "entry_points[0].kind: +15550001111 is not a toll-free number (toll-free area codes are 800, 833"
        ),
        "{p}"
    );
    // Right kinds pass; other countries' numbers are not judged.
    assert_eq!(
        problems(|t| t
            .replace("+15550001111", "+18885550100")
            .replace("kind = \"long-code\"", "kind = \"toll-free\"")),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(|t| t.replace("+15550001111", "+448005550100")),
        Vec::<String>::new()
    );
}

#[test]
fn secrets_are_marked_by_name_or_by_table_not_by_where_they_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let (twilio, router) = (dir.path().join("t.wasm"), dir.path().join("r.wasm"));
    std::fs::write(&twilio, b"").unwrap();
    std::fs::write(&router, b"").unwrap();
    let path = dir.path().join("smsdesk.toml");
    let text = minimal_config(&twilio, &router)
        .replace("account_sid = \"AC123\"", "account_sid = \"${TEST_SID}\"")
        .replace("[agents]", "[carriers.secrets]\nwebhook_salt = \"pepper\"\n\n[agents]");
    let env = |name: &str| match name {
        "TEST_TWILIO_TOKEN" => Some("secret".to_owned()),
        "TEST_SID" => Some("AC999".to_owned()),
        _ => None,
    };
    let c = Config::parse(&path, &text, &env).unwrap();
    // From the environment, but plain: the plugin can read it.
    assert_eq!(c.carriers[0].settings, [("account_sid".to_owned(), "AC999".to_owned())]);
    let secrets: Vec<&str> = c.carriers[0].secrets.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(secrets, ["auth_token", "webhook_salt"]);
    // One entry in both places is a mistake.
    let text =
        minimal_config(&twilio, &router).replace("[agents]", "[carriers.secrets]\naccount_sid = \"x\"\n\n[agents]");
    let errors = Config::parse(&path, &text, &env).unwrap_err();
    assert_eq!(
        errors.0[0].to_string(),
        format!(
            "{}: carriers[0].secrets.account_sid: also in [carriers.config]: give each entry once",
            path.display()
        )
    );
}

#[test]
fn the_store_cache_is_sized_by_cache_mib() {
    fn with(v: &'static str) -> impl Fn(String) -> String {
        move |t| t.replacen("[storage]\n", &format!("[storage]\ncache_mib = {v}\n"), 1)
    }
    assert_eq!(problems(with("256")), Vec::<String>::new());
    assert_eq!(one(with("0")), "storage.cache_mib: must be at least 1, got 0");
    assert_eq!(
        one(with("1000000")),
        "storage.cache_mib: 1000000 MiB is more than the 65536 MiB allowed (the default is 64)"
    );
    assert_eq!(
        one(with("\"64MB\"")),
        "storage.cache_mib: expected an integer, found a string"
    );
}

/// `storage.dead_letters_max_mib`: 256 MiB unless set, 1 MiB to 1 TiB,
/// and a clear error outside.
#[test]
fn kept_requests_are_capped_by_dead_letters_max_mib() {
    fn with(v: &'static str) -> impl Fn(String) -> String {
        move |t| t.replacen("[storage]\n", &format!("[storage]\ndead_letters_max_mib = {v}\n"), 1)
    }
    let (_dir, _, read) = read_minimal(|t| t);
    let config = read.unwrap();
    assert_eq!(config.dead_letters_max_mib, 256, "the default");
    assert_eq!(config.dead_letters_max_bytes(), 256 * 1024 * 1024);
    let (_dir, _, read) = read_minimal(with("1"));
    assert_eq!(read.unwrap().dead_letters_max_bytes(), 1024 * 1024);
    assert_eq!(problems(with("1048576")), Vec::<String>::new());
    assert_eq!(
        one(with("0")),
        "storage.dead_letters_max_mib: must be at least 1, got 0"
    );
    assert_eq!(
        one(with("1048577")),
        "storage.dead_letters_max_mib: 1048577 MiB is more than the 1048576 MiB allowed (the default is 256)"
    );
    assert_eq!(
        one(with("\"1GB\"")),
        "storage.dead_letters_max_mib: expected an integer, found a string"
    );
}

#[test]
fn the_spool_is_sized_by_spool_mib_on_postgres_only() {
    fn with(v: &'static str) -> impl Fn(String) -> String {
        move |t| {
            t.replacen(
                "[storage]\n",
                &format!(
                    "[storage]\nbackend = \"postgres\"\nurl = \"postgres://u:p@127.0.0.1:5432/d\"\nspool_mib = {v}\n"
                ),
                1,
            )
        }
    }
    assert_eq!(problems(with("512")), Vec::<String>::new());
    assert!(matches!(
        parsed(with("512")).backend,
        smsdesk::storage::Backend::Postgres { spool_mib: 512, .. }
    ));
    assert_eq!(one(with("0")), "storage.spool_mib: must be at least 1, got 0");
    assert_eq!(
        one(with("2000000")),
        "storage.spool_mib: 2000000 MiB is more than the 1048576 MiB allowed (the default is 256)"
    );
    assert_eq!(
        one(|t: String| t.replacen("[storage]\n", "[storage]\nspool_mib = 64\n", 1)),
        "storage.spool_mib: is for backend = \"postgres\" (webhooks kept on disk while the database is away); on one machine every webhook is committed before its answer"
    );
}

#[test]
fn hours_greetings_and_compliance_texts_are_read_and_checked() {
    let queue_keys = |keys: &'static str| {
        move |t: String| {
            t.replacen(
                "offer_timeout = \"60s\"",
                &format!("offer_timeout = \"60s\"\n{keys}"),
                1,
            )
        }
    };
    assert_eq!(
        problems(queue_keys(
            "hours = [\"mon-fri 09:00-17:00\"]\ntimezone = \"America/New_York\"\nholidays = [\"2026-12-25\"]\n\
             closed_reply = \"We open {opens}.\"\ngreeting = \"Hi!\"\nbusy_reply = \"You are number {position}.\"\n\
             busy_after = \"2m\"\ninactivity = \"30m\""
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(queue_keys("hours = [\"mon-fri 17:00-09:00\", \"weekdays 09:00-17:00\"]\ntimezone = \"Mars/Olympus\"\nholidays = [\"2026-13-01\"]")),
        vec![
            "queues[0].hours: \"mon-fri 17:00-09:00\" closes before it opens; a range across midnight is two ranges (\"fri 22:00-24:00\", \"sat 00:00-02:00\")".to_owned(),
            "queues[0].hours: \"weekdays\" is not a day (use mon, tue, wed, thu, fri, sat, sun)".to_owned(),
            "queues[0].holidays: \"2026-13-01\" is not a date like \"2026-12-25\"".to_owned(),
            "queues[0].timezone: \"Mars/Olympus\" is not an IANA time zone (like \"America/New_York\" or \"Europe/Paris\")".to_owned(),
        ]
    );
    // A misspelt zone gets the likely one.
    assert_eq!(
        one(queue_keys("timezone = \"Europe/Berln\"")),
        "queues[0].timezone: \"Europe/Berln\" is not an IANA time zone; did you mean \"Europe/Berlin\"?"
    );
    assert_eq!(
        one(queue_keys("timezone = \"america/new york\"")),
        "queues[0].timezone: \"america/new york\" is not an IANA time zone; did you mean \"America/New_York\"?"
    );
    assert_eq!(
        one(queue_keys(
            "hours = [\"mon 09:00-17:00\"]\nclosed_reply = \"Back at {open_time}\""
        )),
        "queues[0].closed_reply: unknown placeholder {open_time}; placeholders here: {opens}"
    );
    assert_eq!(
        one(queue_keys("greeting = \"Hi {name}\"")),
        "queues[0].greeting: unknown placeholder {name}; this text has no placeholders"
    );
    assert_eq!(
        one(queue_keys("closed_reply = \"closed\"")),
        "queues[0].closed_reply: has no effect without hours (the queue is always open)"
    );
    assert_eq!(
        one(queue_keys("busy_reply = \"wait\"")),
        "queues[0].busy_reply: needs busy_after: how long a conversation waits before it is sent (e.g. \"2m\")"
    );
    assert_eq!(
        one(queue_keys("greeting = \"  \"")),
        "queues[0].greeting: is empty; leave it out to send nothing"
    );
    // Compliance: keyword lists and the texts smsdesk must send where it answers keywords.
    let compliance = |body: &'static str| move |t: String| format!("{t}\n[compliance]\n{body}\n");
    assert_eq!(
        problems(compliance("help_reply = \"h\"\nstop_words = []")),
        vec![
            "compliance.stop_words: unknown key; expected one of: help_reply, opt_out_reply, opt_in_reply, opt_out_keywords, opt_in_keywords, help_keywords".to_owned(),
        ]
    );
    assert_eq!(
        one(compliance(
            "opt_out_keywords = [\"STOP\", \"ARRET\"]\nopt_in_keywords = [\"stop\"]"
        )),
        "compliance.opt_in_keywords: STOP is also in opt_out_keywords; a keyword can mean one thing only"
    );
    let smsdesk_answers = |t: String| {
        t.replacen(
            "kind = \"long-code\"",
            "kind = \"long-code\"\nkeywords = \"smsdesk\"",
            1,
        )
    };
    assert_eq!(
        problems(smsdesk_answers),
        vec![
            "compliance.opt_out_reply: is required: +15550001111 (entry_points[0]) has keywords = \"smsdesk\""
                .to_owned(),
            "compliance.opt_in_reply: is required: +15550001111 (entry_points[0]) has keywords = \"smsdesk\""
                .to_owned(),
            "compliance.help_reply: is required: +15550001111 (entry_points[0]) has keywords = \"smsdesk\"".to_owned(),
        ]
    );
    assert_eq!(
        one(|t: String| t.replacen("kind = \"long-code\"", "kind = \"long-code\"\nkeywords = \"auto\"", 1)),
        "entry_points[0].keywords: \"auto\" is not a keyword mode; expected \"carrier\" (the carrier answers STOP/HELP) or \"smsdesk\""
    );
}

/// PostgreSQL (§13): the URL is required with it, and only with it; its
/// TLS settings are checked too.
fn postgres_keys_are_checked() {
    assert_eq!(
        one(|t| t.replace("[storage]\n", "[storage]\nbackend = \"postgres\"\n")),
        "storage.url: missing (required with backend = \"postgres\"), e.g. url = \"${SMSDESK_DATABASE_URL}\""
    );
    assert_eq!(
        one(|t| t.replace("[storage]\n", "[storage]\nurl = \"postgres://h/db\"\n")),
        "storage.url: is for backend = \"postgres\"; set the backend or remove it"
    );
    assert_eq!(
        one(|t| t.replace(
            "[storage]\n",
            "[storage]\nbackend = \"postgres\"\nurl = \"mysql://h/db\"\n"
        )),
        "storage.url: is not a PostgreSQL URL; expected postgres://user:password@host:port/database"
    );
    // Its TLS settings: a known sslmode, a CA file that is there.
    assert_eq!(
        one(|t| t.replace(
            "[storage]\n",
            "[storage]\nbackend = \"postgres\"\nurl = \"postgres://h/db?sslmode=verify_full\"\n"
        )),
        "storage.url: unknown sslmode \"verify_full\"; use disable, prefer, require, verify-ca or verify-full"
    );
    let missing = one(|t| {
        t.replace(
            "[storage]\n",
            "[storage]\nbackend = \"postgres\"\nurl = \"postgres://h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem\"\n",
        )
    });
    assert!(
        missing.starts_with("storage.url: sslrootcert /nonexistent/ca.pem: cannot read: "),
        "{missing}"
    );
    let c = parsed(|t| {
        t.replace(
            "[storage]\n",
            "[storage]\nbackend = \"postgres\"\nurl = \"postgres://smsdesk:pw@db:5432/smsdesk\"\n",
        )
    });
    assert_eq!(c.backend.database_url(), Some("postgres://smsdesk:pw@db:5432/smsdesk"));
}

/// The keys of docs/configuration.md for the later features: what is built is read, and
/// what is not built yet says so by name, instead of "unknown key".
#[test]
fn section_8_added_keys_are_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (telnyx, menu) = (dir.path().join("telnyx.wasm"), dir.path().join("menu.wasm"));
    std::fs::write(&telnyx, b"").unwrap();
    std::fs::write(&menu, b"").unwrap();
    let built = |t: String| {
        t.replace(
            "queue = \"billing\"\n\n[[queues]]",
            &format!(
                "queue = \"billing\"\nkeywords = \"smsdesk\"\nintake = \"{}\"\nintake_timeout = \"10m\"\n\
                 [entry_points.intake_config]\nname = \"Acme\"\n\n[[queues]]",
                menu.display()
            ),
        )
        .replace(
            "[[entry_points]]",
            &format!(
                "[[carriers]]\nname = \"telnyx\"\nplugin = \"{}\"\nallowed_hosts = [\"api.telnyx.com\"]\n\
                 [carriers.config]\napi_key = \"KEY\"\npublic_key = \"base64 of the 32-byte Ed25519 key\"\n\
                 messaging_profile_id = \"...\"\napi_base = \"https://api.telnyx.com\"\n\n\
                 [compliance]\nhelp_reply = \"Acme: help at acme.example/help. Reply STOP to opt out.\"\n\
                 opt_out_reply = \"You are unsubscribed from Acme.\"\nopt_in_reply = \"You are resubscribed to Acme.\"\n\n\
                 [[entry_points]]",
                telnyx.display()
            ),
        )
        .replace("[storage]\n", "[storage]\nbackend = \"sled\"\ncache_mib = 64\n")
    };
    assert_eq!(problems(built), Vec::<String>::new());

    let later = |t: String| {
        built(t)
            .replace("[storage]\n", "[storage]\nretention = \"400d\"\n")
            .replace("offer_timeout = \"60s\"", "offer_timeout = \"60s\"\nsla = \"60s\"")
            + "\n[[supervisors]]\nmatrix_id = \"@sue:example.com\"\n\n[supervisor]\ntoken = \"t\"\n"
    };
    // The supervisor keys (§10) are read as written.
    assert_eq!(problems(later), Vec::<String>::new());
    let c = parsed(later);
    assert_eq!(c.retention, Some(std::time::Duration::from_secs(400 * 86_400)));
    assert_eq!(c.supervisors.len(), 1);
    assert_eq!(c.supervisor.token.as_deref(), Some("t"));
    assert_eq!(c.queues[0].setup.sla, std::time::Duration::from_secs(60));
    // ... and checked.
    assert_eq!(
        one(|t| later(t).replace(
            "matrix_id = \"@sue:example.com\"",
            "matrix_id = \"@sue:example.com\"\nqueues = [\"nope\"]"
        )),
        "supervisors[0].queues[0]: unknown queue \"nope\"; queues: billing"
    );
    assert_eq!(
        one(|t| later(t).replace("token = \"t\"", "token = \"\"")),
        "supervisor.token: is empty; it opens the wallboard, so make it long and random, e.g. from `openssl rand -hex 16`"
    );
    assert_eq!(
        one(|t| later(t).replace("retention = \"400d\"", "retention = \"6h\"")),
        "storage.retention: is less than a day; figures are for the day, so keep at least \"1d\""
    );
    assert_eq!(
        one(|t| later(t).replace("[supervisor]", "[supervisor]\nmask_customer_numbers = \"yes\"")),
        "supervisor.mask_customer_numbers: expected true or false, found a string"
    );
    postgres_keys_are_checked();
    // Intake keys without a bot, and a bad timeout.
    assert_eq!(
        one(|t| t.replace(
            "queue = \"billing\"\n\n[[queues]]",
            "queue = \"billing\"\nintake_timeout = \"5m\"\n\n[[queues]]"
        )),
        "entry_points[0].intake_timeout: only means something with an intake bot; add intake = \"path/to/bot.wasm\""
    );
}

#[test]
fn media_auth_names_config_entries_and_media_lifetime_is_a_duration() {
    let auth = |v: &'static str| {
        move |t: String| {
            t.replace(
                "allowed_hosts = [\"api.twilio.com\"]",
                &format!("allowed_hosts = [\"api.twilio.com\"]\nmedia_auth = {v}"),
            )
        }
    };
    assert_eq!(
        problems(auth("[\"account_sid\", \"auth_token\"]")),
        Vec::<String>::new()
    );
    assert_eq!(
        one(auth("[\"account_sid\", \"password\"]")),
        "carriers[0].media_auth: \"password\" is not an entry of [carriers.config] or [carriers.secrets]: name the entry that holds the credential"
    );
    assert_eq!(
        one(auth("[\"account_sid\"]")),
        "carriers[0].media_auth: expected two entry names for HTTP basic, e.g. [\"account_sid\", \"auth_token\"]"
    );
    assert_eq!(
        one(auth("42")),
        "carriers[0].media_auth: expected an entry name (bearer, e.g. \"api_key\") or two (basic, e.g. [\"account_sid\", \"auth_token\"]), found an integer"
    );
    let lifetime = |v: &'static str| move |t: String| t.replace("[http]\n", &format!("[http]\nmedia_lifetime = {v}\n"));
    assert_eq!(problems(lifetime("\"30m\"")), Vec::<String>::new());
    assert!(one(lifetime("\"soon\"")).starts_with("http.media_lifetime: "));
    assert_eq!(
        one(lifetime("\"999999999999999999d\"")),
        "http.media_lifetime: \"999999999999999999d\" is too long a duration"
    );
}

#[test]
fn appservice_mode_is_read_with_its_defaults_and_checked() {
    fn matrix(keys: &'static str) -> impl Fn(String) -> String {
        move |t: String| {
            format!("{t}\n[matrix]\nhomeserver = \"http://127.0.0.1:8008\"\nuser = \"@smsdesk:example.com\"\n{keys}\n")
        }
    }
    let c = parsed(matrix("mode = \"appservice\""));
    let m = c.matrix.unwrap();
    let smsdesk::config::MatrixAuth::Appservice(a) = m.auth else {
        panic!("not appservice mode: {:?}", m.auth)
    };
    assert_eq!(a.ghost_prefix, "sms_");
    assert_eq!(a.registration.file_name().unwrap(), "appservice.yaml");
    assert!(a.registration.is_absolute(), "resolved beside the config");
    let c = parsed(matrix(
        "mode = \"appservice\"\nregistration = \"/etc/smsdesk/as.yaml\"\nghost_prefix = \"text_\"",
    ));
    let smsdesk::config::MatrixAuth::Appservice(a) = c.matrix.unwrap().auth else {
        panic!()
    };
    assert_eq!(
        (a.registration.to_str().unwrap(), a.ghost_prefix.as_str()),
        ("/etc/smsdesk/as.yaml", "text_")
    );

    assert_eq!(
        one(matrix("mode = \"appservice\"\npassword = \"x\"")),
        "matrix.password: is not used in appservice mode (the bot acts with the registration's as_token); remove it"
    );
    assert_eq!(
        one(matrix("mode = \"bridge\"\npassword = \"x\"")),
        "matrix.mode: \"bridge\" is not a mode; expected \"bot\" (the default) or \"appservice\""
    );
    assert_eq!(
        one(matrix("password = \"x\"\nghost_prefix = \"sms_\"")),
        "matrix.ghost_prefix: is for appservice mode; set matrix.mode = \"appservice\" or remove it"
    );
    let p = one(matrix("mode = \"appservice\"\nghost_prefix = \"SMS+\""));
    assert!(
        p.starts_with("matrix.ghost_prefix: \"SMS+\" has characters a Matrix user name cannot have"),
        "{p}"
    );
    let p = one(matrix("mode = \"appservice\"\nghost_prefix = \"sms\""));
    assert!(p.contains("starts the bot's own name"), "{p}");
}

#[test]
fn canned_replies_are_read_and_their_mistakes_named() {
    let canned = |text: &str| {
        let text = text.to_owned();
        move |t: String| format!("{t}\n[[canned]]\n{text}\n")
    };
    let c = parsed(canned(
        "name = \"thanks\"\ntext = \"Thanks {customer_first_name}, this is {agent} from {queue}.\"\nqueues = [\"billing\"]",
    ));
    assert_eq!(c.canned.len(), 1);
    assert_eq!(c.canned[0].name, "thanks");
    assert_eq!(c.canned[0].queues.len(), 1);
    assert_eq!(
        one(canned("name = \"hi\"\ntext = \"Hi {customer_name}\"")),
        "canned[0].text: unknown placeholder {customer_name}; placeholders here: {customer_first_name}, {agent}, {queue}, {entry}"
    );
    let long = format!("name = \"long\"\ntext = \"{}\"", "x".repeat(1_001));
    assert_eq!(
        one(canned(&long)),
        "canned[0].text: is 1001 characters; a reply may be at most 1000"
    );
    assert!(one(canned("name = \"hi\"\ntext = \"Hi\"\nqueues = [\"nowhere\"]"))
        .starts_with("canned[0].queues[0]: unknown queue \"nowhere\""),);
    assert_eq!(
        one(canned("name = \"two words\"\ntext = \"Hi\"")),
        "canned[0].name: \"two words\" is not one word (letters, digits, - and _): agents type it after !c"
    );
}

/// `matrix.encryption` is off unless "on"; `matrix.recovery_key` comes
/// from the environment like the other secrets, and neither it nor the
/// bot's password shows in the config's `Debug` (what a log could print).
#[test]
fn the_recovery_key_is_a_secret_from_the_environment_never_shown() {
    let matrix =
        "\n[matrix]\nhomeserver = \"http://127.0.0.1:8008\"\nuser = \"@bot:hs\"\npassword = \"${TEST_BOT_PASSWORD}\"\n";
    let dir = tempfile::tempdir().unwrap();
    let (twilio, router) = (dir.path().join("t.wasm"), dir.path().join("r.wasm"));
    std::fs::write(&twilio, b"").unwrap();
    std::fs::write(&router, b"").unwrap();
    let path = dir.path().join("smsdesk.toml");
    let env = |name: &str| match name {
        "TEST_TWILIO_TOKEN" => Some("secret".to_owned()),
        "TEST_BOT_PASSWORD" => Some("hunter2-password".to_owned()),
        "TEST_RECOVERY" => Some("a long random recovery passphrase".to_owned()),
        _ => None,
    };
    let off = format!("{}{matrix}", minimal_config(&twilio, &router));
    let c = Config::parse(&path, &off, &env).unwrap();
    let m = c.matrix.as_ref().unwrap();
    assert!(!m.encryption && m.recovery_key.is_none());
    let on = format!("{off}encryption = \"on\"\nrecovery_key = \"${{TEST_RECOVERY}}\"\n");
    let c = Config::parse(&path, &on, &env).unwrap();
    let m = c.matrix.as_ref().unwrap();
    assert!(m.encryption);
    assert_eq!(
        m.recovery_key.as_ref().unwrap().expose(),
        "a long random recovery passphrase"
    );
    let shown = format!("{c:?}");
    assert!(!shown.contains("recovery passphrase"), "{shown}");
    assert!(!shown.contains("hunter2"), "the password is shown: {shown}");
    assert_eq!(
        Config::parse(&path, &format!("{off}recovery_key = \"short\"\n"), &env)
            .unwrap_err()
            .0
            .iter()
            .map(|e| format!("{}: {}", e.key, e.message))
            .collect::<Vec<_>>(),
        ["matrix.recovery_key: is shorter than 8 characters; it guards the bot's identity and message keys: make it long and random"]
    );
}

/// `queues[].sticky` and `sticky_wait` (back to the last agent): off unless
/// set, the wait 30 s by default, and the settings that would do nothing
/// are named.
#[test]
fn sticky_routing_is_read_and_its_mistakes_named() {
    let with = |keys: &'static str| {
        move |t: String| t.replace("offer_timeout = \"60s\"", &format!("offer_timeout = \"60s\"\n{keys}"))
    };
    let c = parsed(|t| t);
    assert_eq!(c.queues[0].setup.sticky, None, "sticky is off by default");
    let c = parsed(with("sticky = \"24h\""));
    assert_eq!(c.queues[0].setup.sticky, Some(std::time::Duration::from_secs(86_400)));
    assert_eq!(c.queues[0].setup.sticky_wait, std::time::Duration::from_secs(30));
    let c = parsed(with("sticky = \"2h\"\nsticky_wait = \"45s\""));
    assert_eq!(c.queues[0].setup.sticky_wait, std::time::Duration::from_secs(45));
    assert_eq!(parsed(with("sticky = \"off\"")).queues[0].setup.sticky, None);
    assert_eq!(
        one(with("sticky_wait = \"45s\"")),
        "queues[0].sticky_wait: has no effect without sticky (how long after the last conversation a customer goes back to its agent, e.g. \"24h\")"
    );
    assert_eq!(
        one(with("sticky = \"1m\"\nsticky_wait = \"2m\"")),
        "queues[0].sticky_wait: is longer than sticky: the wait for the last agent must fit in the window"
    );
    assert!(one(with("sticky = \"a day\"")).starts_with("queues[0].sticky: "));
}

#[test]
fn languages_are_read_and_an_unknown_one_is_named_with_those_there_are() {
    let agent = |lang: &'static str| {
        move |t: String| {
            t.replace(
                "matrix_id = \"@alice:example.com\"\n",
                &format!("matrix_id = \"@alice:example.com\"\nlanguage = \"{lang}\"\n"),
            )
        }
    };
    assert_eq!(parsed(|t| t).roster[0].language, None);
    assert_eq!(
        parsed(agent("de")).roster[0].language.as_ref().map(|l| l.as_str()),
        Some("de")
    );
    assert_eq!(
        one(agent("fr")),
        "agents.roster[0].language: \"fr\" has no catalog: use one of de, en, or add its messages as locales/fr/*.ftl beside the config"
    );
    let supervisor =
        |t: String| format!("{t}\n[[supervisors]]\nmatrix_id = \"@sam:example.com\"\nlanguage = \"klingon\"\n");
    assert!(one(supervisor).starts_with("supervisors[0].language: \"klingon\" has no catalog"));
}
