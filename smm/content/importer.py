"""`smm import`: posts from a spreadsheet (CSV or XLSX), one row per post.

    read_table   ── the file's rows (CSV in UTF-8, with or without BOM; the first sheet of a workbook)
    columns      ── the header row: each column's field, by name or Chinese alias, any case
    plan_row     ── a row → the post file `smm new` would write, checked as `smm check` checks a
                    post, its problems moved to the row and the column they come from
    import_posts ── every row; posts written only for rows without errors, never over an existing file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from smm.check.diagnostics import ERROR, WARNING, Diagnostic
from smm.data import sheets
from smm.errors import InputError
from smm.workspace.files import decode, read_bytes
from smm.workspace.schema import did_you_mean

MAX_TABLE_BYTES = 50 * 1024 * 1024
# field → the header names it goes by (compared without case and surrounding spaces)
COLUMNS = {"title": ("title", "标题"), "time": ("time", "publish_at", "时间", "发布时间"),
           "platforms": ("platforms", "平台"), "text": ("text", "正文"), "link": ("link", "链接"),
           "media": ("media", "媒体"), "pillar": ("pillar", "栏目"), "campaign": ("campaign", "活动"),
           "hashtags": ("hashtags", "话题")}
REQUIRED = ("title", "time", "platforms", "text")
FRONT_MATTER = {"title": "title", "publish_at": "time", "platforms": "platforms", "link": "link", "media": "media",
                "pillar": "pillar", "campaign": "campaign", "hashtags": "hashtags"}  # post field → column
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_MEDIA_SEPARATORS = re.compile(r"[\n;；]+")


@dataclass(frozen=True)
class Planned:
    row: int
    path: str  # the post file, from the repository root
    text: str = field(repr=False)  # its content
    written: bool = False


@dataclass
class ImportRun:
    file: str
    dry_run: bool
    planned: list[Planned] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(d.is_error for d in self.diagnostics) else 0


def read_table(path: Path, shown: str) -> tuple[list[tuple[int, list[str]]], list[Diagnostic]]:
    """(row number, cells as text) of every row with something in it (smm.data.sheets); or the
    diagnostics of a file that cannot be read."""
    data, found = read_bytes(path.parent, path.name, MAX_TABLE_BYTES)
    if data is None:
        return [], [replace(d, file=shown) for d in found]
    try:
        if path.suffix.lower() == ".xlsx":
            return [(number, [_cell(value) for value in row]) for number, row in sheets.xlsx_rows(data)], []
        text, found = decode(data.removeprefix(b"\xef\xbb\xbf"), shown)  # Excel's "CSV UTF-8" starts with a BOM
        return (sheets.csv_rows(text), []) if text is not None else ([], found)
    except sheets.SheetError as exc:
        return [], [Diagnostic(shown, exc.row, 1, ERROR, "import.table", exc.message, exc.hint)]


def _cell(value: object) -> str:
    """A workbook cell as the text a post field takes: a date and time as ISO 8601 (minutes)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


UNREAD_SHOWN = 20  # unknown columns named one by one


def columns(header: list[str], row: int, shown: str) -> tuple[dict[str, int], list[Diagnostic]]:
    """Each field's column (0-based) from the header row; unknown names are warned about, missing
    required ones are errors."""
    names = {alias.casefold(): name for name, aliases in COLUMNS.items() for alias in aliases}
    where, found, unread = {}, [], 0
    for index, cell in enumerate(header):
        label = cell.strip()
        if not label:
            continue
        name = names.get(label.casefold())
        if name is None:
            unread += 1
            if unread > UNREAD_SHOWN:  # a sheet with thousands of extra columns: one line says how many
                continue
            known = [alias for aliases in COLUMNS.values() for alias in aliases]
            found.append(Diagnostic(shown, row, index + 1, WARNING, "import.column", f"column `{label}` is not read",
                                    did_you_mean(label, known) or f"columns: {', '.join(known)}"))
        elif name in where:
            found.append(Diagnostic(shown, row, index + 1, ERROR, "import.column", f"column `{label}` is given twice"))
        else:
            where[name] = index
    if unread > UNREAD_SHOWN:
        found.append(Diagnostic(shown, row, 1, WARNING, "import.column",
                                f"{unread - UNREAD_SHOWN} more columns are not read (the first {UNREAD_SHOWN} are named above)"))
    for name in REQUIRED:
        if name not in where:
            found.append(Diagnostic(shown, row, 1, ERROR, "import.column", f"no `{name}` column (or {COLUMNS[name][-1]})",
                                    f"the header row names the columns: {', '.join(COLUMNS)}"))
    return where, found


def _fields(cells: list[str], where: dict[str, int]) -> tuple[dict, str]:
    """A row → (front matter, body). Title, time and platforms are always there (empty when the
    cell is), so their problems point at their cells; the others only when given."""
    value = {name: (cells[index].strip() if index < len(cells) else "") for name, index in where.items()}
    meta: dict = {"title": value["title"], "publish_at": value["time"],
                  "platforms": [p for p in _LIST_SEPARATORS.split(value["platforms"]) if p]}
    for name in ("link", "pillar", "campaign"):
        if value.get(name):
            meta[name] = value[name]
    if value.get("hashtags"):
        meta["hashtags"] = [t for t in _LIST_SEPARATORS.split(value["hashtags"]) if t]
    if value.get("media"):
        meta["media"] = [_media(item) for item in _MEDIA_SEPARATORS.split(value["media"]) if item.strip()]
    body = cells[where["text"]] if where["text"] < len(cells) else ""
    return meta, body.replace("\r\n", "\n").strip("\n")


def _media(item: str) -> dict:
    """`path` or `path | alt text`."""
    file, _, alt = item.partition("|")
    return {"file": file.strip(), **({"alt": alt.strip()} if alt.strip() else {})}


@dataclass
class _Context:
    """What every row is checked against: the repository, the checks of `smm check`, the moment."""

    repo: object  # smm.workspace.repo.Repo, loaded with its voice rules
    checks: object  # smm.check.run.PostChecks
    now: datetime
    taken: set[str]
    planned: dict[str, int] = field(default_factory=dict)  # path → the row that writes it


def import_posts(root: Path, table: Path, shown: str, dry_run: bool, now: datetime) -> ImportRun:
    """Every row of the table checked; the post of each row without errors written (not with
    `dry_run`), never over an existing post."""
    from smm.check.run import PostChecks, check_settings
    from smm.content.newpost import taken_ids
    from smm.workspace.repo import load_repo

    if table.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"{shown}: smm imports .csv or .xlsx files")
    if not table.is_file():
        raise InputError(f"{shown}: no such file")
    run = ImportRun(shown, dry_run)
    rows, run.diagnostics = read_table(table, shown)
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        if not run.diagnostics:
            run.diagnostics.append(Diagnostic(shown, 1, 1, ERROR, "import.table", "the table has no rows"))
        return run
    (header_row, header), rows = rows[0], rows[1:]
    where, found = columns(header, header_row, shown)
    run.diagnostics += found
    if any(d.is_error for d in found):
        return run
    if not rows:  # a header alone: the wrong sheet, or the posts not saved
        run.diagnostics.append(Diagnostic(shown, header_row, 1, ERROR, "import.table", "the table has no rows under its header"))
        return run
    settings, key = check_settings(root)
    repo = load_repo(root, settings=settings)
    context = _Context(repo, PostChecks(now, key), now, taken_ids(repo))
    for number, cells in rows:
        planned, found = plan_row(context, number, cells, where, header, shown)
        run.diagnostics += found
        if planned is not None:
            run.planned.append(planned if dry_run else _write(root, planned, run))
    run.diagnostics = sorted(set(run.diagnostics), key=lambda d: (d.file != shown, d.file, d.line, d.column, d.rule))
    return run


def plan_row(context: _Context, number: int, cells: list[str], where: dict[str, int], header: list[str],
             shown: str) -> tuple[Planned | None, list[Diagnostic]]:
    """The post a row makes and its file, or None when the row has errors (reported at its cells)."""
    from smm.check.run import check_due
    from smm.content.newpost import post_file_text, post_id_for, post_path
    from smm.content.post import parse_post, parse_when

    repo = context.repo
    meta, body = _fields(cells, where)
    try:
        local = parse_when(meta["publish_at"], repo.config.timezone).astimezone(repo.config.timezone)
    except ValueError:
        local = None  # the post's own check says why
    post_id = post_id_for(meta["title"], local) if local else f"row-{number}"
    path = post_path(repo.root, post_id, local) if local else repo.root / "content" / f"{post_id}.md"
    file = path.relative_to(repo.root).as_posix()
    text = post_file_text(meta, body)
    post, found = parse_post(file, text, repo.config.timezone, str(repo.root))
    if post is not None:
        found += context.checks.inspect(repo, post) + (check_due(repo, post, context.now) if post.valid else [])
    moved = [_to_cell(d, post, number, where, header, shown) if d.file == file else d for d in found]
    title_column = where["title"] + 1
    if file in context.planned:
        moved.append(Diagnostic(shown, number, title_column, ERROR, "import.duplicate-row",
                                f"the same post as row {context.planned[file]} ({file}): skipped"))
    elif local and (path.exists() or post_id in context.taken):
        moved.append(Diagnostic(shown, number, title_column, ERROR, "import.exists",
                                f"post `{post_id}` exists already ({file if path.exists() else 'another file'}): "
                                "skipped, never overwritten", "change the title or the time, or remove the row"))
    context.planned.setdefault(file, number)
    if any(d.is_error for d in moved):
        return None, moved
    return Planned(number, file, text), moved


def _to_cell(d: Diagnostic, post, number: int, where: dict[str, int], header: list[str], shown: str) -> Diagnostic:
    """A diagnostic of the generated post file moved to the row and the column its field came from."""
    name = "text"
    if post is None or d.line < post.body_line:
        name = "title"
        lines = sorted((post.at((key,), key=True)[0], key) for key in post.meta) if post is not None else []
        for line, key in lines:
            if line <= d.line:
                name = FRONT_MATTER.get(key, "title")
    column = where[name]
    label = header[column].strip()
    return Diagnostic(shown, number, column + 1, d.severity, d.rule, f"{label}: {d.message}", d.hint)


def _write(root: Path, planned: Planned, run: ImportRun) -> Planned:
    from smm.content.newpost import write_new_post

    try:
        write_new_post(root, root / planned.path, planned.text)
    except FileExistsError:  # written since the row was checked
        run.diagnostics.append(Diagnostic(run.file, planned.row, 1, ERROR, "import.exists",
                                          f"{planned.path} exists already: skipped, never overwritten"))
        return planned
    return replace(planned, written=True)
