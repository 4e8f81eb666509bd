#!/usr/bin/env python3
"""Literal scan: finds words for people left in the code that talks to
agents and supervisors, instead of in the message catalogs (`locales/`).

Reads the bridge's Matrix code (`bridge/src/matrix`, which holds the
supervisor room), the wallboard (`bridge/src/wallboard`) and the desk
page (`bridge/src/desk`; the pages' scripts take their words from the
catalogs through a `data-words` attribute), paths relative
to the repository root (the parent of this script's folder), and prints
every string literal that reads as words, as `path:line: "text"`. Exit
status 1 if there is one, 0 if none.

What is not a finding:

- Tests: files under a `tests/` folder or named `*_tests.rs`, and
  everything after a file's `#[cfg(test)]`.
- Comments, and literals inside what only the operator reads: a log line
  (`tracing::warn!(...)` and its kin, however many lines it spans), an
  error's context or message for the log (`.context(...)`,
  `.with_context(...)`, `anyhow!`, `bail!`, `#[error(...)]`), a panic
  (`expect(...)`, `panic!`, `unreachable!`), an assertion.
- A literal that is not words: a catalog id (`offer-row-queue`), an
  event type, a JSON key, HTML without text, a format string of
  placeholders only (`"{name}: {body}"`).
- The short allow-list below: literals that are words but are for the
  operator or for programs, each with its reason.

Usage: scripts/literal-scan.py [--root DIR]
"""

import os
import re
import sys

ROOTS = ["bridge/src/matrix", "bridge/src/wallboard", "bridge/src/desk"]

# Calls whose literal arguments only the operator (or a programmer) reads.
OPERATOR_CALLS = {
    "trace!", "debug!", "info!", "warn!", "error!", "event!",
    "context", "with_context", "anyhow!", "bail!", "ensure!",
    "expect", "expect_err", "panic!", "unreachable!", "todo!", "unimplemented!",
    "assert!", "assert_eq!", "assert_ne!", "debug_assert!",
    "error",  # #[error("...")] of thiserror: the log's words for an error
}

# (path, start of the literal, why it stays a literal).
ALLOW = [
    ("bridge/src/matrix/connection/identity.rs", "", "the bot's device status for `smsdesk status` and the log (operator)"),
    ("bridge/src/matrix/connection/account_owner.rs", "(unreadable account data)", "the log's and `smsdesk status`'s words (operator)"),
    ("bridge/src/matrix/connection/twin.rs", "smsdesk (encrypted rooms)", "a device's display name, set once for the operator's device list"),
    ("bridge/src/matrix/outgoing/ghost_upkeep.rs", "", "why a ghost account was deactivated: the homeserver's admin log (operator)"),
    ("bridge/src/matrix/outgoing/feed.rs", "failpoint ", "a test failpoint's name"),
    ("bridge/src/matrix/store/", "", "the bot's store's errors: start-up errors for the operator"),
    ("bridge/src/matrix/texts/refusals.rs", "conference requested", "a phase label matched to its catalog id"),
    ("bridge/src/wallboard/auth.rs", "the operator (supervisor.token)", "who signed in, for the log (the page says it from the catalog)"),
    ("bridge/src/wallboard/auth.rs", "all queues", "a scope for the log (the page says it from the catalog)"),
    ("bridge/src/wallboard/export.rs", "", "the export API's errors, for the operator's scripts (curl)"),
    ("bridge/src/wallboard/mod.rs", "no wallboard: ", "the answer when the operator configured no wallboard"),
    ("bridge/src/wallboard/mod.rs", "the engine is not running", "a 503 for monitoring, when the process is stopping"),
    ("bridge/src/wallboard/page.rs", "\nconst W = ", "the page's script: its words come from the catalog (data-words)"),
    ("bridge/src/wallboard/page.rs", "default-src ", "the Content-Security-Policy header"),
    ("bridge/src/wallboard/style.rs", "", "the stylesheet and the viewport's settings"),
    ("bridge/src/desk/assets.rs", "text/", "content types"),
    ("bridge/src/desk/mod.rs", "no desk: ", "the answer when the operator configured no desk"),
    ("bridge/src/desk/mod.rs", "default-src ", "the Content-Security-Policy header"),
    ("bridge/src/desk/page.rs", "width=device-width", "the viewport's settings"),
    ("bridge/src/desk/page.rs", "no desk here", "the answer when the operator configured no sign-in"),
]

# Two words with a space between them (ids, paths and event types have none).
WORDS = re.compile(r"[A-Za-z]{2,}['’]?[a-z]*[,;:.!?]?\s+[A-Za-z]{2,}")
STRING = re.compile(r'r(#*)"(.*?)"\1|"((?:[^"\\]|\\.)*)"', re.S)
IDENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*!?)\s*$")


def sources(root):
    for base in ROOTS:
        for folder, _, files in os.walk(os.path.join(root, base)):
            for name in sorted(files):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root)
                if not name.endswith(".rs") or name.endswith("_tests.rs") or "/tests/" in rel + "/":
                    continue
                if rel.split("/")[-2] == "tests":
                    continue
                yield rel, path


def strip_comments(text):
    """The text with `//` and `/* */` comments blanked (strings kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"[A-Za-z0-9_]", text[i - 1 : i] or " ")):
            m = STRING.match(text, i)
            if not m:
                out.append(c)
                i += 1
                continue
            out.append(m.group(0))
            i = m.end()
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def findings(rel, text):
    cut = text.find("#[cfg(test)]")
    if cut >= 0:
        text = text[:cut]
    text = strip_comments(text)
    stack = []  # the callee of each open bracket
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "([{":
            m = IDENT.search(text[max(0, i - 80) : i])
            stack.append(m.group(1) if m and c == "(" else "")
            i += 1
        elif c in ")]}":
            if stack:
                stack.pop()
            i += 1
        elif c == '"' or (c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"[A-Za-z0-9_]", text[i - 1 : i] or " ")):
            m = STRING.match(text, i)
            if not m:
                i += 1
                continue
            literal = m.group(2) if m.group(2) is not None else m.group(3)
            line = text.count("\n", 0, i) + 1
            i = m.end()
            if any(call in OPERATOR_CALLS for call in stack):
                continue
            plain = re.sub(r"<[^>]*>|\{[^}]*\}|\\[nt]", " ", literal)
            if not WORDS.search(plain):
                continue
            if any(rel.startswith(p) and literal.startswith(start) for p, start, _ in ALLOW):
                continue
            yield line, literal
        else:
            i += 1


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if "--root" in sys.argv:
        root = sys.argv[sys.argv.index("--root") + 1]
    found = 0
    for rel, path in sources(root):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for line, literal in findings(rel, text):
            found += 1
            print(f'{rel}:{line}: "{literal[:100]}"')
    if found:
        print(
            f"{found} literal(s) with words for people: put them in locales/<lang>/*.ftl "
            "(or, if only the operator reads them, in the allow-list of scripts/literal-scan.py, with why)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
