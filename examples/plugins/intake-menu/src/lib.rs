//! Intake bot: a two-question menu. "Reply 1 for billing, 2 for support",
//! then "your account number (digits only)", re-asking on bad input, then
//! the conversation is queued to the chosen queue with the fields `topic`
//! and `account` (and the skills configured for the choice). After three
//! bad answers to one question it queues anyway, with what it has, so a
//! customer is never stuck with a bot.
//!
//! Settings (the entry point's `[entry_points.intake_config]`):
//! `queue_1` / `queue_2` (default `billing` / `support`), `skills_1` /
//! `skills_2` (comma-separated skill names, default none), `name` (the
//! business name in the greeting, default "us").
//!
//! State (at most a few bytes, kept by the host between turns):
//! `menu:<bad answers>` or `account:<choice>:<bad answers>`.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.2.0", world: "intake-plugin" });

use exports::smsdesk::plugin::intake::{Guest, IntakeAnswer, IntakeRequest, Next, QueueTo, Settings};

const TRIES: u32 = 3;

fn setting<'a>(settings: &'a Settings, name: &str) -> Option<&'a str> {
    settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn queue_for(settings: &Settings, choice: u8) -> String {
    let (key, default) = if choice == 1 { ("queue_1", "billing") } else { ("queue_2", "support") };
    setting(settings, key).unwrap_or(default).to_owned()
}

fn skills_for(settings: &Settings, choice: u8) -> Vec<String> {
    let key = if choice == 1 { "skills_1" } else { "skills_2" };
    setting(settings, key)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Where the talk stands.
enum Stage {
    Menu { bad: u32 },
    Account { choice: u8, bad: u32 },
}

impl Stage {
    fn parse(state: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(state).ok()?;
        let mut parts = text.split(':');
        match (parts.next()?, parts.next(), parts.next()) {
            ("menu", Some(bad), None) => Some(Stage::Menu { bad: bad.parse().ok()? }),
            ("account", Some(choice), Some(bad)) => Some(Stage::Account {
                choice: choice.parse().ok().filter(|c| *c == 1 || *c == 2)?,
                bad: bad.parse().ok()?,
            }),
            _ => None,
        }
    }

    fn save(&self) -> Vec<u8> {
        match self {
            Stage::Menu { bad } => format!("menu:{bad}"),
            Stage::Account { choice, bad } => format!("account:{choice}:{bad}"),
        }
        .into_bytes()
    }
}

fn wait(text: String, stage: Stage) -> IntakeAnswer {
    IntakeAnswer {
        texts: vec![text],
        state: stage.save(),
        next: Next::Wait,
    }
}

fn queue(settings: &Settings, choice: u8, account: Option<&str>, text: &str) -> IntakeAnswer {
    let topic = if choice == 1 { "billing" } else { "support" };
    let mut fields = vec![("topic".to_owned(), topic.to_owned())];
    if let Some(account) = account {
        fields.push(("account".to_owned(), account.to_owned()));
    }
    IntakeAnswer {
        texts: vec![text.to_owned()],
        state: Vec::new(),
        next: Next::Queue(QueueTo {
            queue: queue_for(settings, choice),
            skills: skills_for(settings, choice),
            fields,
        }),
    }
}

struct Plugin;

impl Guest for Plugin {
    fn handle(request: IntakeRequest) -> Result<IntakeAnswer, String> {
        let settings = &request.settings;
        let answer = request.body.trim();
        let stage = if request.turn == 1 || request.state.is_empty() {
            None
        } else {
            Some(Stage::parse(&request.state).ok_or("the kept state is not this bot's")?)
        };
        Ok(match stage {
            None => {
                let name = setting(settings, "name").unwrap_or("us");
                wait(
                    format!("Thanks for texting {name}! Reply 1 for billing, 2 for support."),
                    Stage::Menu { bad: 0 },
                )
            }
            Some(Stage::Menu { bad }) => match answer {
                "1" | "2" => {
                    let choice = if answer == "1" { 1 } else { 2 };
                    wait(
                        "Please reply with your account number (digits only).".into(),
                        Stage::Account { choice, bad: 0 },
                    )
                }
                _ if bad + 1 >= TRIES => IntakeAnswer {
                    texts: vec!["Let's get you to an agent.".into()],
                    state: Vec::new(),
                    next: Next::Queue(QueueTo {
                        queue: String::new(),
                        skills: Vec::new(),
                        fields: Vec::new(),
                    }),
                },
                _ => wait(
                    "Sorry, please reply 1 for billing or 2 for support.".into(),
                    Stage::Menu { bad: bad + 1 },
                ),
            },
            Some(Stage::Account { choice, bad }) => {
                let digits = answer.len() >= 4 && answer.len() <= 12 && answer.bytes().all(|b| b.is_ascii_digit());
                if digits {
                    queue(settings, choice, Some(answer), "Thanks! An agent will be with you shortly.")
                } else if bad + 1 >= TRIES {
                    queue(settings, choice, None, "Let's get you to an agent.")
                } else {
                    wait(
                        "Account numbers are digits only (4 to 12). Please try again.".into(),
                        Stage::Account { choice, bad: bad + 1 },
                    )
                }
            }
        })
    }
}

export!(Plugin);
