"""The site's key of the settings (smm.site.build.settings_digest) counts brand/ as the check's key
does (kept_settings.repository_key): a template edited in a folder brand/templates leads to
rebuilds the pages, and a brand/ that leads out of the repository (`brand -> /`) is not walked
(it read every file of the machine: the build never ended)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import copy_example



def _repo(root: Path):
    return SimpleNamespace(root=root, brand=SimpleNamespace(cards=SimpleNamespace(pictures=())))


def test_the_sites_key_changes_with_a_template_in_a_linked_folder(tmp_path):
    from smm.site.build import settings_digest

    root = copy_example(tmp_path / "repo")
    (root / "tpl").mkdir()
    (root / "tpl" / "mastodon.j2").write_text("{{ title }}\n\n{{ text }}\n")
    (root / "brand" / "templates").symlink_to("../tpl")
    before = settings_digest(_repo(root), "en", None, code="c")
    (root / "tpl" / "mastodon.j2").write_text("{{ text }}\n")
    assert settings_digest(_repo(root), "en", None, code="c") != before


def test_the_sites_key_does_not_walk_a_brand_folder_out_of_the_repository(tmp_path):
    root = copy_example(tmp_path / "repo")
    shutil.rmtree(root / "brand")
    (root / "brand").symlink_to("/")
    code = ("import sys, types; from pathlib import Path; from smm.site.build import settings_digest; "
            "n = types.SimpleNamespace; settings_digest(n(root=Path(sys.argv[1]), brand=n(cards=n(pictures=()))), "
            "'en', None, code='c')")
    try:  # (a subprocess: killed when the time is up, not left reading the machine's files)
        subprocess.run([sys.executable, "-c", code, str(root)], timeout=10, check=True, capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail("still walking the machine's files after 10 s")
