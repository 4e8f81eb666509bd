#!/usr/bin/env bash
# The repository's documents stand on their own: every relative link in
# every Markdown file resolves to a file or directory of the repository
# (`#anchors` are not checked), every `docs/…` path named in a source
# comment or script exists, and nothing points outside the repository into
# a sibling folder. Prints file:line for each broken one and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 - <<'PY'
import os, re, subprocess, sys

try:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"],
                           capture_output=True, text=True, check=True).stdout.split("\n")
except (OSError, subprocess.CalledProcessError):
    # Not a git checkout (e.g. an unpacked archive): every file but build output.
    files = [os.path.relpath(os.path.join(d, f)) for d, dirs, fs in os.walk(".")
             for f in fs if not d.startswith(("./.git", "./.venv")) and "/target" not in d]
files = [f for f in files if f and os.path.isfile(f)]
bad = []
outside = "../" + "shared"
link = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
code_span = re.compile(r"`[^`]*`")
docs_path = re.compile(r"(?<![\w./-])(docs/[\w./-]*\w)")

for f in files:
    if f.startswith(("target", "examples/plugins/target")) or "/target/" in f:
        continue
    try:
        text = open(f, encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        continue
    md = f.endswith(".md")
    code = f.endswith((".rs", ".sh", ".toml", ".py", ".wit", ".yml", ".yaml"))
    fence = False
    for n, line in enumerate(text.split("\n"), 1):
        if outside in line:
            bad.append(f"{f}:{n}: points outside the repository: {outside}")
        if md:
            if line.lstrip().startswith("```"):
                fence = not fence
                continue
            if fence:
                continue
            for target in link.findall(code_span.sub("", line)):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                    continue
                path = target.split("#", 1)[0]
                if not path:
                    continue
                resolved = os.path.normpath(os.path.join(os.path.dirname(f), path))
                if resolved.startswith("..") or not os.path.exists(resolved):
                    bad.append(f"{f}:{n}: broken link: {target}")
        elif code:
            for path in docs_path.findall(line):
                if not os.path.exists(path):
                    bad.append(f"{f}:{n}: cites a missing file: {path}")

if bad:
    print("\n".join(bad), file=sys.stderr)
    print(f"{len(bad)} broken reference(s)", file=sys.stderr)
    sys.exit(1)
print("links: every relative link and docs/ citation resolves")
PY
