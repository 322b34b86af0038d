"""`smm check --fix`: substitution fixes written into the post files, and nothing else.

Each fix replaces exactly the matched characters: in the body, or inside a front matter
string (title, alt text, override text, hashtag) with the quoting that string uses.
The rest of the file stays byte for byte the same. After editing, the front matter is
parsed again: a fix that would change any other value (or break the YAML) is not made.
Files with a byte order mark or CRLF line endings are left alone (`smm check` reports
those first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smm.content.post import split_front_matter
from smm.errors import StateError
from smm.voice.engine import Voice, _where, apply_replacements
from smm.voice.segments import FrontMatter, LineIndex
from smm.workspace.files import read_bytes, write_atomic
from smm.workspace.yamlsource import load


@dataclass(frozen=True)
class Fix:
    file: str
    line: int
    column: int
    rule: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.rule}: “{self.old}” → “{self.new}”"


def apply_fixes(root: Path, posts: list, voice: Voice) -> list[str]:
    """Apply every substitution fix in place; the files changed (relative to root)."""
    return sorted({fix.file for fix in fix_posts(root, posts, voice, write=True)})


def fix_posts(root: Path, posts: list, voice: Voice, write: bool = False) -> list[Fix]:
    """The substitution fixes for these posts (made in the files when write is true)."""
    done = []
    for post in posts:
        done += _fix_post(Path(root), post, voice, write)
    return done


def _value_at(data, path):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _quote(new: str, style: str) -> str:
    if style == '"':
        return new.replace("\\", "\\\\").replace('"', '\\"')
    if style == "'":
        return new.replace("'", "''")
    return new


def _fix_post(root: Path, post, voice: Voice, write: bool) -> list:
    data = read_bytes(root, post.file)[0] or b""  # a link out, a pipe, a file gone since the check: nothing
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if not text or "\r" in text or text.startswith("\ufeff"):
        return []
    front = FrontMatter(post, text)
    hits, _ = voice.post_hits(post, (), front)
    hits = [h for h in hits if h.replacement is not None and h.segment is not None and h.segment.fixable
            and h.rule.kind == "substitution"]
    if not hits:
        return []
    lines = LineIndex(text)
    body_start = lines.offset(post.body_line, 1) if post.body else len(text)
    body_ok = text[body_start:body_start + len(post.body)] == post.body
    body_edits, front_edits = [], {}
    for hit in sorted(hits, key=lambda h: (id(h.segment), h.start, -(h.end - h.start))):
        segment = hit.segment
        old = segment.text[hit.start:hit.end]
        line, column, _, _ = _where(post, hit)
        fix = Fix(post.file, line, column, hit.rule.id, old, hit.replacement)
        if segment.path is None:
            a, b = body_start + hit.start, body_start + hit.end
            if body_ok and text[a:b] == old:
                body_edits.append((a, b, hit.replacement, fix, hit.start, hit.end))
            continue
        value = _value_at(post.meta, segment.path)
        offsets = front.offsets(segment.path, value) if isinstance(value, str) else None
        if not offsets:
            continue
        i, j = segment.base + hit.start, segment.base + hit.end
        a, b = offsets[i], offsets[j - 1] + 1
        if text[a:b] != old or value[i:j] != old:
            continue
        span_start = lines.offset(*front.span(segment.path)[:2])
        style = text[span_start] if text[span_start] in "\"'" else ""
        front_edits.setdefault(segment.path, []).append((a, b, _quote(hit.replacement, style), fix, i, j))
    new_text, made = _edit(text, body_edits, front_edits, post)
    if made and front_edits and not _front_ok(new_text, post, front_edits):
        new_text, made = _edit(text, body_edits, {}, post)
    if made and write and new_text != text:
        try:
            write_atomic(root / post.file, new_text)
        except OSError as exc:  # a read-only checkout
            raise StateError(f"cannot fix {post.file}: {exc.strerror}") from None
    return made


def _non_overlapping(edits: list) -> list:
    chosen, last = [], -1
    for edit in sorted(edits, key=lambda e: (e[0], -(e[1] - e[0]))):
        if edit[0] >= last:
            chosen.append(edit)
            last = edit[1]
    return chosen


def _edit(text: str, body_edits: list, front_edits: dict, post) -> tuple[str, list]:
    edits = _non_overlapping(body_edits + [e for group in front_edits.values() for e in group])
    if not edits:
        return text, []
    new_text = apply_replacements(text, [(a, b, new) for a, b, new, _, _, _ in edits])
    return new_text, [e[3] for e in edits]


def _front_ok(new_text: str, post, front_edits: dict) -> bool:
    """Every fixed value reads back as intended, and no other value changed."""
    front, _, _, problems = split_front_matter(new_text, post.file)
    if front is None or problems:
        return False
    parsed = load(front, file=post.file, first_line=2)
    if parsed.diagnostics or not isinstance(parsed.data, dict):
        return False
    expected = dict(post.meta)
    for path, edits in front_edits.items():
        old = _value_at(post.meta, path)
        new = apply_replacements(old, [(i, j, fix.new) for _, _, _, fix, i, j in _non_overlapping(edits)])
        if _value_at(parsed.data, path) != new:
            return False
        expected = _with(expected, path, new)
    return parsed.data == expected


def _with(data, path, value):
    """A copy of data with the value at path replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        copy = list(data)
    else:
        copy = dict(data)
    copy[head] = _with(data[head], rest, value)
    return copy
