"""The build manifest (smm.site.output.SiteFolder: `site-<out>.marshal` in the cache folder): a
damaged or foreign one is no manifest, and the build then equals one with nothing kept."""

from __future__ import annotations

import marshal

import pytest
from test_report import write_fixture
from test_site import _tree, build


@pytest.mark.parametrize("damage", [
    lambda data: data[:len(data) // 2],  # cut short
    lambda data: b"",
    lambda data: b"\x00\xff garbage",
    lambda data: b'{"version": 1, "pages": {}}',  # JSON, as smm wrote it before
    lambda data: marshal.dumps({"version": 2, "pages": {}}),  # another version
    lambda data: marshal.dumps(["not", "a", "mapping"]),
])
def test_a_damaged_manifest_is_none(tmp_path, monkeypatch, smm, damage):
    write_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "kept"))
    assert build(smm)[0] == 0
    (manifest,) = (tmp_path / "kept").glob("*/site-*.marshal")
    manifest.write_bytes(damage(manifest.read_bytes()))
    (tmp_path / "content/p2.md").write_text((tmp_path / "content/p2.md").read_text(encoding="utf-8")
                                            .replace("Title of p2", "Renamed p2"), encoding="utf-8")
    code, again, err = build(smm)
    assert code == 0, err
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "nothing-kept"))
    assert build(smm, out="fresh")[0] == 0
    assert _tree(tmp_path / "_site") == _tree(tmp_path / "fresh")
