//! The agent command line's tests: parsing, where each command works,
//! `!help` and the catalogs' help and aliases.

use super::*;

fn parse_ok(text: &str) -> BotCommand {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn parse_err(text: &str) -> String {
    match parse(text) {
        Ok(c) => panic!("{text:?} parsed as {c:?}"),
        Err(e) => e.to_string(),
    }
}

fn alice() -> AgentId {
    AgentId::from("@alice:example.com")
}

#[test]
fn every_command_parses() {
    assert_eq!(parse_ok("!available"), BotCommand::Available);
    assert_eq!(parse_ok("  !AVAILABLE\nsecond line ignored"), BotCommand::Available);
    assert_eq!(
        parse_ok("!idle Lunch"),
        BotCommand::Idle {
            code: vec!["Lunch".into()]
        }
    );
    assert_eq!(parse_ok("!idle"), BotCommand::Idle { code: vec![] });
    assert_eq!(parse_ok("!status"), BotCommand::Status);
    assert_eq!(parse_ok("!offline"), BotCommand::Offline);
    assert_eq!(parse_ok("!accept 42"), BotCommand::Accept { id: Some(42) });
    assert_eq!(parse_ok("!accept"), BotCommand::Accept { id: None });
    assert_eq!(parse_ok("!decline 7"), BotCommand::Decline { id: Some(7) });
    assert_eq!(parse_ok("!queues"), BotCommand::Queues);
    assert_eq!(
        parse_ok("!agents bo"),
        BotCommand::Agents {
            filter: vec!["bo".into()]
        }
    );
    assert_eq!(
        parse_ok("!transfer billing"),
        BotCommand::Transfer {
            target: "billing".into()
        }
    );
    assert_eq!(
        parse_ok("!conference @bob:example.com"),
        BotCommand::Conference {
            agent: "@bob:example.com".into()
        }
    );
    assert_eq!(parse_ok("!endconf"), BotCommand::Endconf { agent: None });
    assert_eq!(parse_ok("!end"), BotCommand::End);
    assert_eq!(
        parse_ok("!wrapup follow up"),
        BotCommand::Wrapup {
            choice: vec!["follow".into(), "up".into()]
        }
    );
    assert_eq!(
        parse_ok("!help transfer"),
        BotCommand::Help {
            topic: Some("transfer".into())
        }
    );
}

#[test]
fn help_lists_every_command_by_room_and_explains_each() {
    let help = |topic: Option<&str>| help(topic, &Lang::default());
    let all = help(None);
    for name in Line::command().get_subcommands().map(|s| s.get_name().to_owned()) {
        assert!(all.contains(&format!("  !{name}")), "!help lacks !{name}:\n{all}");
    }
    let desk = all.find("Desk room (these work in any room):").unwrap();
    let conv = all.find("Conversation room").unwrap();
    assert!(
        all.find("!accept [id]").unwrap() > desk && all.find("!accept [id]").unwrap() < conv,
        "{all}"
    );
    assert!(all.contains("!transfer <target> — Transfer this conversation"), "{all}");
    assert!(all.contains("!wrapup [choice…]"), "{all}");

    let transfer = help(Some("transfer"));
    assert!(transfer.starts_with("!transfer <target>\n"), "{transfer}");
    assert!(transfer.contains("Works in a conversation room."), "{transfer}");
    assert!(
        transfer.contains("target: A queue name, or an agent like @bob:example.com"),
        "{transfer}"
    );
    assert!(help(Some("!ACCEPT")).contains("Meant for your desk room; works in any room."));
    assert_eq!(help(Some("teleport")), "unknown command !teleport; try !help");
}

/// The English catalog says what the doc comments say (they are the
/// clap help too); every catalog's aliases and help name real commands,
/// and within a catalog an alias stands for one command only and is no
/// other command's name.
#[test]
fn the_catalogs_help_and_aliases_match_the_commands() {
    let root = Line::command();
    let names: Vec<String> = root.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let en = Lang::default();
    for sub in root.get_subcommands() {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        assert_eq!(
            en.t(&format!("about-{}", sub.get_name())),
            about,
            "about-{}",
            sub.get_name()
        );
    }
    for lang in catalogs().languages() {
        let mut seen = std::collections::BTreeMap::new();
        for (alias, command) in catalogs().aliases(lang) {
            assert!(names.contains(&command), "{lang}: alias-{command} is no command");
            assert!(
                !names.contains(&alias) || alias == command,
                "{lang}: alias {alias} is the command !{alias}"
            );
            if let Some(other) = seen.insert(alias.clone(), command.clone()) {
                panic!("{lang}: alias {alias} stands for !{other} and !{command}");
            }
        }
        for id in catalogs().ids(lang) {
            if let Some(command) = id.strip_prefix("about-") {
                assert!(names.iter().any(|n| n == command), "{lang}: {id} is no command");
            }
        }
    }
}

#[test]
fn german_aliases_and_help() {
    let de = Lang::new("de");
    assert_eq!(
        parse_in("!annehmen 4", &de).unwrap(),
        BotCommand::Accept { id: Some(4) }
    );
    assert_eq!(
        parse_in("!Übergeben billing", &de).unwrap(),
        BotCommand::Transfer {
            target: "billing".into()
        }
    );
    // English always works; another language's alias does not.
    assert_eq!(parse_in("!accept", &de).unwrap(), BotCommand::Accept { id: None });
    assert_eq!(
        parse_in("!annehmen", &Lang::default()).unwrap_err().to_string(),
        "unknown command !annehmen; try !help"
    );
    assert_eq!(
        parse_in("!teleport", &de).unwrap_err().to_string(),
        "unbekannter Befehl !teleport; versuch !help"
    );
    let all = help(None, &de);
    assert!(all.starts_with("Desk-Raum (diese gehen in jedem Raum):"), "{all}");
    assert!(
        all.contains("!accept [id] (!annehmen) — Nimm ein Angebot, eine Übertragung oder eine Konferenzeinladung an"),
        "{all}"
    );
    let one = help(Some("übergeben"), &de);
    assert!(one.starts_with("!transfer <target>\n"), "{one}");
    assert!(
        one.contains("Geht in einem Konversationsraum.") && one.contains("Auch: !übergeben, !übertragen"),
        "{one}"
    );
}

#[test]
fn a_note_keeps_every_line_and_only_note_is_one() {
    assert_eq!(note_text("!note call back\nafter 3pm"), Some("call back\nafter 3pm"));
    assert_eq!(note_text("  !NOTE   vip "), Some("vip"));
    assert_eq!(note_text("!note"), Some(""));
    assert_eq!(note_text("!notes x"), None);
    assert_eq!(note_text("note x"), None);
    assert_eq!(note_text("!end"), None);
}

#[test]
fn mistakes_get_a_reason() {
    assert_eq!(parse_err("!teleport me"), "unknown command !teleport; try !help");
    assert_eq!(parse_err("!"), "empty command; try !help");
    assert!(
        parse_err("!accept soon").contains("invalid value 'soon'"),
        "{}",
        parse_err("!accept soon")
    );
    assert_eq!(parse_err("!transfer"), "!transfer needs <target>; try !help transfer");
    let german = parse_in("!übergeben", &Lang::new("de")).unwrap_err().to_string();
    assert_eq!(german, "!transfer braucht <target>; versuch !help transfer");
    assert!(
        parse_err("!end now please").contains("unexpected argument"),
        "{}",
        parse_err("!end now please")
    );
}

#[test]
fn commands_map_to_the_engine_with_the_rooms_conversation() {
    let room = Room::Conversation(ConversationId(3));
    assert_eq!(
        action(parse_ok("!transfer @bob:example.com"), &alice(), room),
        Ok(Action::Engine(Command::TransferToAgent {
            agent: alice(),
            conversation: ConversationId(3),
            target: AgentId::from("@bob:example.com"),
        }))
    );
    assert_eq!(
        action(parse_ok("!transfer support"), &alice(), room),
        Ok(Action::Engine(Command::TransferToQueue {
            agent: alice(),
            conversation: ConversationId(3),
            queue: QueueName::from("support"),
        }))
    );
    assert_eq!(
        action(parse_ok("!wrapup wrong number"), &alice(), room),
        Ok(Action::Engine(Command::Wrapup {
            agent: alice(),
            conversation: ConversationId(3),
            choice: Some("wrong number".into()),
        }))
    );
    assert_eq!(
        action(parse_ok("!idle"), &alice(), Room::Desk),
        Ok(Action::Engine(Command::SetIdle {
            agent: alice(),
            code: None
        }))
    );
}

#[test]
fn room_commands_are_refused_in_the_desk_room_and_bad_ids_are_named() {
    assert_eq!(
        action(parse_ok("!end"), &alice(), Room::Desk),
        Err("!end works in a conversation room, not in your desk room".into())
    );
    assert_eq!(
        action(
            parse_ok("!conference bob"),
            &alice(),
            Room::Conversation(ConversationId(1))
        ),
        Err("\"bob\" is not a Matrix user id like @bob:example.com".into())
    );
}

#[test]
fn plain_text_is_not_a_command() {
    assert!(is_command("!end"));
    assert!(is_command("  !help"));
    assert!(!is_command("Hello! How can I help?"));
}
