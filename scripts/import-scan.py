#!/usr/bin/env python3
"""Import scan: finds circles between the modules of smsdesk's crates.

Reads `bridge/src`, `core/src`, `engine/src`, `plugins/src` and `pgstore/src` (paths are
relative to the repository root, the parent of this script's folder) and
prints every circle, a strongly connected component of more than one
module, as `a -> b -> a`. Exit status 1 if there is one, 0 if none.

Rules (what counts as a module and as a use of one):

- A module is a file: `x.rs` is the module `x`, `x/mod.rs` is the module
  `x` (the folder's front door), `lib.rs`/`main.rs` is the crate root.
  Inline modules (`mod tests { ... }`) belong to the file they are in, so
  a file's own tests using `super::` are no edge.
- A use is any path that starts with `crate::`, `super::` or `self::`,
  in a `use` declaration (groups `{a, b::{c}}` expanded, `as` renames and
  `*` globs allowed) or anywhere in the code (function bodies, types,
  attributes such as `#[serde(default = "super::x::f")]`). Comments and
  string literals are skipped, except strings inside attributes (serde
  names functions there). `$crate` in macros is no use. Paths into other
  crates (`smsdesk_core::...`) are no edge: Cargo already forbids circles
  between crates.
- A path is resolved to the deepest module file it names
  (`crate::state::indexes::Foo` -> `state/indexes.rs`). If it lands on a
  module that re-exports the name (`pub use child::Foo;`), it is followed
  to where the name is defined, so using a crate root's or a folder's
  re-export counts as using the module that defines it.
- A folder's `mod.rs` (or the crate root) and its direct children are one
  unit, not a circle: the front door declares and re-exports its
  children and the children use the types it keeps; edges between a
  parent module and its own direct child are left out. Everything else
  counts: siblings in one folder (`cli/plugin.rs` and
  `cli/plugin_check.rs`), a module and a folder elsewhere
  (`figures.rs` and `state/`), grandchildren and their grandparent.

Usage: scripts/import-scan.py [--edges] [--root DIR]
  --edges     also print every edge of the graph, `from -> to`
  --root DIR  scan another checkout (default: this script's repository)
Exit status 2 if a crate folder is missing.
"""

import os
import re
import sys

CRATES = ["bridge/src", "core/src", "engine/src", "plugins/src", "pgstore/src"]


def strip_code(text):
    """Blanks comments and string/char literals, keeping newlines and
    positions; keeps string contents inside `#[...]` attributes."""
    out = []
    i, n = 0, len(text)
    attr_depth = 0  # bracket depth inside `#[ ... ]`, 0 when outside
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = re.match(r'(b?r)(#*)"', text[i:i + 40])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + m.group(2)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            if attr_depth:
                out.append(" " + text[i + 1:j - 1] + " ")
            else:
                out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == "'":
            m = re.match(r"'(\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:i + 12])
            if m:
                out.append(" " * m.end())
                i += m.end()
                continue
        if text.startswith("#[", i) or text.startswith("#![", i):
            k = text.index("[", i)
            out.append(text[i:k + 1])
            attr_depth = 1
            i = k + 1
            continue
        if attr_depth:
            if c == "[":
                attr_depth += 1
            elif c == "]":
                attr_depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


def file_module(rel):
    """`a/b.rs` -> ('a', 'b'); `a/mod.rs` -> ('a',); `lib.rs` -> ()."""
    parts = rel[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main") and (parts[-1] == "mod" or len(parts) == 1):
        parts = parts[:-1]
    return tuple(parts)


def expand_use(tree):
    """`a::{b, c::{d}}` -> [(['a','b'], 'b'), (['a','c','d'], 'd')];
    renames are handled by `parse_use_text`."""
    tree = re.sub(r"\s+", "", tree)
    results = []

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return parts

    def walk(prefix, s):
        brace = s.find("{")
        if brace >= 0:
            head = s[:brace]
            if head.endswith("::"):
                head = head[:-2]
            inner = s[brace + 1:s.rindex("}")]
            base = prefix + [p for p in head.split("::") if p]
            for part in split_top(inner):
                walk(base, part)
            return
        path = prefix + [p for p in s.split("::") if p]
        if path and path[-1] == "self":
            path = path[:-1]
        results.append((path, path[-1] if path else ""))

    walk([], tree)
    return results


def parse_use_text(raw):
    """Like `expand_use`, but reads `as` renames before whitespace is gone."""
    renamed = []

    def sub(m):
        renamed.append(m.group(2))
        return m.group(1) + "@" + str(len(renamed) - 1)

    raw = re.sub(r"([\w*]+)\s+as\s+([A-Za-z_]\w*)", sub, raw)
    out = []
    for path, name in expand_use(raw):
        if path and "@" in path[-1]:
            seg, idx = path[-1].split("@")
            path = path[:-1] + [seg]
            name = renamed[int(idx)]
        out.append((path, name))
    return out


class Crate:
    def __init__(self, root, src):
        self.src = src
        self.files = {}  # module tuple -> rel path
        self.code = {}  # module tuple -> stripped code
        for dirpath, _, names in os.walk(os.path.join(root, src)):
            for name in names:
                if not name.endswith(".rs"):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, os.path.join(root, src)).replace(os.sep, "/")
                mod = file_module(rel)
                if mod in self.files and rel in ("main.rs",):
                    continue  # lib.rs is the root when both exist
                self.files[mod] = rel
                with open(full, encoding="utf-8") as f:
                    self.code[mod] = strip_code(f.read())
        self.reexports = {m: self.find_reexports(m) for m in self.files}

    def name(self, mod):
        return self.src + "/" + self.files[mod]

    def inline_scopes(self, mod, code):
        """(offset, module path) for each inline `mod x {` body, so paths in
        it resolve relative to the inline module."""
        scopes = []
        for m in re.finditer(r"\bmod\s+([A-Za-z_]\w*)\s*\{", code):
            depth, j = 0, m.end() - 1
            while j < len(code):
                if code[j] == "{":
                    depth += 1
                elif code[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            scopes.append((m.end(), j, m.group(1)))
        return scopes

    def scope_at(self, mod, scopes, pos):
        path = list(mod)
        for start, end, name in scopes:
            if start <= pos <= end:
                path.append(name)
        return path

    def find_reexports(self, mod):
        code = self.code[mod]
        found = {}
        for m in re.finditer(r"\bpub(\s*\([^)]*\))?\s+use\s+([^;]+);", code):
            for path, name in parse_use_text(m.group(2)):
                if path and path[-1] != "*":
                    found[name] = path
        return found

    def absolute(self, here, path):
        """`here` is the module path (list) the path appears in."""
        if not path:
            return None
        head = path[0]
        if head == "crate":
            base, rest = [], path[1:]
        elif head in ("super", "self"):
            base, rest = list(here), list(path)
            while rest and rest[0] in ("super", "self"):
                if rest[0] == "super":
                    if not base:
                        return None
                    base = base[:-1]
                rest = rest[1:]
        else:
            # relative to the current module: a child module or a re-export
            base, rest = list(here), list(path)
        return base + rest

    def resolve(self, full, seen=None):
        """The module file a full path lands in, following re-exports."""
        seen = seen or set()
        for k in range(len(full), -1, -1):
            mod = tuple(full[:k])
            if mod in self.files:
                rest = full[k:]
                key = (mod, rest[0]) if rest else None
                if key and rest[0] in self.reexports[mod] and key not in seen:
                    seen.add(key)
                    target = self.absolute(list(mod), self.reexports[mod][rest[0]])
                    if target is not None:
                        return self.resolve(target + rest[1:], seen)
                return mod
        return None

    def edges(self):
        out = {m: set() for m in self.files}
        for mod, code in self.code.items():
            scopes = self.inline_scopes(mod, code)
            used = []
            uses = list(re.finditer(r"\buse\s+([^;]+);", code))
            spans = []
            for m in uses:
                spans.append((m.start(), m.end()))
                here = self.scope_at(mod, scopes, m.start())
                for path, _ in parse_use_text(m.group(1)):
                    if path and path[0] in ("crate", "super", "self"):
                        used.append((here, path))
            for m in re.finditer(r"(?<![\w$])(crate|super|self)((?:::[A-Za-z_]\w*)+)", code):
                if any(a <= m.start() < b for a, b in spans):
                    continue
                here = self.scope_at(mod, scopes, m.start())
                used.append((here, [m.group(1)] + m.group(2).split("::")[1:]))
            for here, path in used:
                full = self.absolute(here, path)
                if full is None:
                    continue
                target = self.resolve(full)
                if target is None or target == mod:
                    continue
                if is_parent(target, mod) or is_parent(mod, target):
                    continue
                out[mod].add(target)
        return out


def is_parent(a, b):
    return len(a) + 1 == len(b) and b[: len(a)] == a


def tarjan(graph):
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def ring(graph, comp):
    """One ring through every module of a component (a walk that returns to
    the start), printed as `a -> b -> ... -> a`."""
    members = set(comp)
    start = min(comp)
    path, todo = [start], set(comp) - {start}
    current = start
    while todo:
        # breadth-first to the nearest module not yet on the ring
        prev, frontier, found = {current: None}, [current], None
        while frontier and found is None:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & members):
                    if w not in prev:
                        prev[w] = v
                        if w in todo:
                            found = w
                            break
                        nxt.append(w)
                if found is not None:
                    break
            frontier = nxt
        step, w = [], found
        while w != current:
            step.append(w)
            w = prev[w]
        path.extend(reversed(step))
        todo -= set(step)
        current = found
    prev, frontier = {current: None}, [current]
    while start not in prev or current == start and len(path) == 1:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
        if not frontier:
            break
    step, w = [], start
    while w is not None and w != current:
        step.append(w)
        w = prev.get(w)
    path.extend(reversed(step))
    return path


def main():
    args = sys.argv[1:]
    show_edges = "--edges" in args
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if "--root" in args:
        root = args[args.index("--root") + 1]
    missing = [src for src in CRATES if not os.path.isdir(os.path.join(root, src))]
    if missing:
        print(f"import-scan: no {', '.join(missing)} under {root}", file=sys.stderr)
        return 2
    circles = 0
    for src in CRATES:
        crate = Crate(root, src)
        graph = crate.edges()
        named = {crate.name(m): {crate.name(t) for t in ts} for m, ts in graph.items()}
        if show_edges:
            for m in sorted(named):
                for t in sorted(named[m]):
                    print(f"{m} -> {t}")
        for comp in tarjan(named):
            if len(comp) > 1:
                circles += 1
                print(" -> ".join(ring(named, comp)))
    if circles:
        print(f"import-scan: {circles} circle(s)", file=sys.stderr)
        return 1
    print("import-scan: no circles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
