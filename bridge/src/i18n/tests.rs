//! The shipped catalogs are complete and consistent: every message in
//! every language, every English placeholder in each translation, no
//! message the code never asks for; and a language added as a folder is
//! used without a code change, falling back to English where it is silent.

use std::collections::BTreeSet;
use std::path::Path;

use fluent_syntax::ast;

use super::{load, Catalogs, Lang};

/// The variables a pattern refers to, however deep.
fn variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_variables(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for v in variants {
                variables(&v.value, out);
            }
        }
    }
}

fn inline_variables(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_variables(a, out);
            }
            for a in &arguments.named {
                inline_variables(&a.value, out);
            }
        }
        _ => {}
    }
}

/// (id, its variables) of every message of a language's built-in catalog.
fn messages(lang: &str) -> Vec<(String, BTreeSet<String>)> {
    let all = load::embedded().unwrap();
    let mut out = Vec::new();
    for (_, resource) in &all[lang] {
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    variables(p, &mut vars);
                }
                out.push((m.id.name.to_owned(), vars));
            }
        }
    }
    out
}

#[test]
fn every_language_has_every_message_and_every_placeholder() {
    let catalogs = Catalogs::load(None).unwrap();
    let langs: Vec<&str> = catalogs.languages().collect();
    assert!(langs.contains(&"en") && langs.contains(&"de"), "{langs:?}");
    assert!(catalogs.missing().is_empty(), "missing: {:?}", catalogs.missing());
    let english = messages("en");
    for lang in langs.iter().filter(|l| **l != "en") {
        let other = messages(lang);
        for (id, vars) in &english {
            let Some((_, theirs)) = other.iter().find(|(i, _)| i == id) else {
                panic!("{lang} lacks {id}");
            };
            let lost: Vec<&String> = vars.difference(theirs).collect();
            assert!(lost.is_empty(), "{lang} {id} loses {lost:?}");
        }
        // Aliases are a language's own: English has none.
        let extra: Vec<&String> = other
            .iter()
            .map(|(i, _)| i)
            .filter(|i| !i.starts_with("alias-") && !english.iter().any(|(e, _)| e == *i))
            .collect();
        assert!(extra.is_empty(), "{lang} has messages English lacks: {extra:?}");
    }
}

/// Every Rust file under `dir`, read.
fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_message_is_used_by_the_code() {
    let mut code = String::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut code);
    let unused: Vec<String> = messages("en")
        .into_iter()
        .map(|(id, _)| id)
        // `about-<command>`, `supervisor-about-<command>`, `state-<state>` and
        // `weekday-<n>` are asked for by a name or a number.
        .filter(|id| {
            !["about-", "supervisor-about-", "state-", "weekday-"]
                .iter()
                .any(|p| id.starts_with(p))
                && !code.contains(&format!("\"{id}\""))
        })
        .collect();
    assert!(unused.is_empty(), "messages no code asks for: {unused:?}");
}

#[test]
fn a_language_added_as_a_folder_is_used_and_falls_back_to_english() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("xx")).unwrap();
    std::fs::write(dir.path().join("xx/desk.ftl"), "offer-row-queue = Kö\n").unwrap();
    let catalogs = Catalogs::load(Some(dir.path())).unwrap();
    assert!(catalogs.has("xx"));
    assert_eq!(catalogs.text("xx", "offer-row-queue", None), "Kö");
    // Silent on the rest: English, never a blank.
    assert_eq!(catalogs.text("xx", "offer-row-customer", None), "Customer");
    assert!(catalogs
        .missing()
        .iter()
        .any(|(l, id)| l == "xx" && id == "offer-row-customer"));
    // A broken file is named with its line.
    std::fs::write(dir.path().join("xx/desk.ftl"), "ok = fine\n\nbroken = {\n").unwrap();
    let err = Catalogs::load(Some(dir.path())).err().unwrap().to_string();
    assert!(
        err.starts_with("locales/xx/desk.ftl: line ") && err.ends_with("(Fluent syntax)"),
        "{err}"
    );
    // An unknown id shows as itself; the built-in German is German.
    assert_eq!(Lang::new("de").t("no-such-message"), "no-such-message");
    assert_eq!(Lang::new("de").t("offer-row-queue"), "Warteschlange");
}

#[test]
fn the_compiled_messages_read_exactly_as_fluent_formats_them() {
    let catalogs = Catalogs::load(None).unwrap();
    let mut compiled = 0;
    for lang in catalogs.languages() {
        let catalog = &catalogs.langs[lang];
        for (id, vars) in messages(lang) {
            let Some(template) = catalog.templates.get(&id) else {
                continue;
            };
            compiled += 1;
            // Strings and numbers both, as the code passes them.
            let mut args = super::Args::new();
            let mut list = Vec::new();
            for (i, var) in vars.iter().enumerate() {
                let value = if i % 2 == 0 {
                    super::Value::from(format!("<{var}>"))
                } else {
                    super::Value::from(i as i64 * 7)
                };
                args.set(var.clone(), value.clone());
                list.push((var.as_str(), value));
            }
            let pattern = catalog.bundle.get_message(&id).unwrap().value().unwrap();
            let fluent = catalog.bundle.format_pattern(pattern, Some(&args), &mut Vec::new());
            assert_eq!(template.render(&list).as_deref(), Some(&*fluent), "{lang} {id}");
            if !vars.is_empty() {
                assert_eq!(
                    template.render(&[]),
                    None,
                    "{lang} {id} without its arguments goes to Fluent"
                );
            }
        }
    }
    assert!(compiled > 100, "only {compiled} messages compiled");
}

#[test]
fn a_browser_language_is_matched_to_a_catalog() {
    assert_eq!(super::negotiate("de-AT, de;q=0.9, en;q=0.5"), Some(Lang::new("de")));
    assert_eq!(super::negotiate("fr-CH, fr;q=0.9, en;q=0.8"), Some(Lang::new("en")));
    assert_eq!(super::negotiate("fr, ja"), None);
    assert_eq!(super::negotiate(""), None);
}
