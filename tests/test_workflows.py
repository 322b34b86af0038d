"""The GitHub Actions workflows: valid, pinned, least privilege, safe with secrets, checked offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as true
    return data


def steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def test_the_six_workflows_exist():
    assert [p.name for p in WORKFLOWS] == ["check.yml", "pages.yml", "pr-comment.yml", "publish.yml", "tests.yml",
                                           "validate.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_by_full_sha_with_a_version_comment(path):
    uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text())
    assert uses
    for action, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}", action), action  # (actions/cache/save@)
        assert re.match(r"\s+# v\d+(\.\d+)*", rest), f"{action} lacks a `# vX.Y.Z` comment"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_explicit_everywhere(path):
    workflow = load(path)
    assert workflow["permissions"] == {}, "workflow-level permissions must be empty; jobs ask for what they need"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} has no explicit permissions"
        assert "write-all" not in str(job["permissions"])


def test_publish_schedule_concurrency_and_secrets():
    workflow = load(ROOT / ".github/workflows/publish.yml")
    for entry in workflow["on"]["schedule"]:
        minutes = entry["cron"].split()[0]
        assert minutes != "*" and "0" not in minutes.split(","), f"cron minute {minutes}: avoid the top of the hour"
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {"group": "publish", "cancel-in-progress": False}
    job = workflow["jobs"]["publish"]
    assert job["environment"] == "social"
    assert job["permissions"] == {"contents": "write", "issues": "write"}
    commands = " ".join(s.get("run", "") for s in job["steps"])
    assert "smm publish --commit --push" in commands and "smm metrics --commit --push" in commands


@pytest.mark.parametrize("secret", ["SMM_MASTODON_TOKEN", "SMM_BLUESKY_APP_PASSWORD", "SMM_THREADS_TOKEN",
                                    "SMM_FACEBOOK_TOKEN", "SMM_INSTAGRAM_TOKEN"])
@pytest.mark.parametrize("path", [ROOT / ".github/workflows/publish.yml", ROOT / "smm/scaffold/workflows/publish.yml"],
                         ids=["repository", "scaffold"])
def test_publish_and_metrics_get_each_networks_secret(path, secret):
    job = load(path)["jobs"]["publish"]
    for step in job["steps"]:
        if "smm publish" in step.get("run", "") or "smm metrics" in step.get("run", ""):
            assert step["env"][secret] == f"${{{{ secrets.{secret} }}}}", step["name"]
            assert step["env"]["SMM_ROTATED_SECRETS"] == "${{ runner.temp }}/smm-rotated"  # refreshed tokens


SCAFFOLD = ROOT / "smm" / "scaffold"


@pytest.mark.parametrize("workflow,accounts", [
    (ROOT / ".github/workflows/publish.yml", ROOT / "platforms.yml"),
    (SCAFFOLD / "workflows/publish.yml", SCAFFOLD / "platforms.yml"),  # its accounts are commented out examples
], ids=["this repository", "smm init"])
def test_publish_and_metrics_get_every_secret_the_accounts_name(workflow, accounts):
    named = set(re.findall(r"_env:\s*([A-Z][A-Z0-9_]*)", accounts.read_text()))
    assert {"SMM_LINKEDIN_TOKEN", "SMM_WEIBO_TOKEN"} <= named
    for step in load(workflow)["jobs"]["publish"]["steps"]:
        if "smm publish" in step.get("run", "") or "smm metrics" in step.get("run", ""):
            passed = {name for name, value in step["env"].items() if value == f"${{{{ secrets.{name} }}}}"}
            assert named <= passed, f"{step['name']} lacks {named - passed}"


def test_publish_runs_smm_doctor_daily_and_fails_on_an_account_that_is_not_ready():
    workflow = load(ROOT / ".github/workflows/publish.yml")
    daily = [e["cron"] for e in workflow["on"]["schedule"] if e["cron"].split()[1] != "*"]
    assert len(daily) == 1
    steps_ = workflow["jobs"]["publish"]["steps"]
    doctor = next(s for s in steps_ if "smm doctor" in s.get("run", ""))
    assert f"github.event.schedule == '{daily[0]}'" in doctor["if"] and "workflow_dispatch" in doctor["if"]
    assert "smm doctor --format github" in doctor["run"] and 'echo "status=$?"' in doctor["run"]
    last = steps_[-1]
    assert last["env"]["DOCTOR_STATUS"] == "${{ steps.doctor.outputs.status }}" and 'exit "$DOCTOR_STATUS"' in last["run"]
    smm_steps = [s for s in steps_ if re.search(r"\bsmm (publish|metrics|doctor)", s.get("run", ""))]
    for step in smm_steps:  # every smm command sees every network's secrets and keeps what X rotates
        assert {"SMM_X_API_KEY", "SMM_X_REFRESH_TOKEN", "SMM_ROTATED_SECRETS"} <= set(step["env"]), step["name"]
    keep = next(s for s in steps_ if "gh secret set" in s.get("run", ""))
    assert keep["if"] == "${{ always() }}" and keep["env"]["GH_TOKEN"] == "${{ secrets.SMM_SECRETS_TOKEN }}"
    assert steps_.index(keep) > steps_.index(doctor)


def test_pull_request_code_never_meets_secrets():
    validate = load(ROOT / ".github/workflows/validate.yml")
    assert list(validate["on"]) == ["pull_request", "pull_request_review"]
    text = (ROOT / ".github/workflows/validate.yml").read_text()
    assert "secrets." not in text
    assert all(s.get("with", {}).get("persist-credentials") is False for s in steps(validate)
               if s.get("uses", "").startswith("actions/checkout"))
    comment = load(ROOT / ".github/workflows/pr-comment.yml")
    assert list(comment["on"]) == ["workflow_run"]
    assert not any(s.get("uses", "").startswith("actions/checkout") for s in steps(comment))
    script = next(s for s in steps(comment) if "github-script" in s.get("uses", ""))["with"]["script"]
    assert "pr.head.sha !== process.env.RUN_HEAD_SHA" in script


def test_a_review_reruns_the_check_that_waits_for_sponsored_post_approval():
    for path in (ROOT / ".github/workflows/validate.yml", ROOT / "smm/scaffold/workflows/validate.yml"):
        validate = load(path)
        assert validate["on"]["pull_request_review"] == {"types": ["submitted", "dismissed"]}
        (job,) = validate["jobs"].values()
        assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
        approval = next(s for s in job["steps"] if "smm approvals" in s.get("run", ""))
        assert approval["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
        last = job["steps"][-1]
        assert last["env"]["APPROVAL_STATUS"] == "${{ steps.approvals.outputs.status }}" and 'exit "$APPROVAL_STATUS"' in last["run"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_shell_script(path):
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), f"{path.name}: pass expressions through env, not into `run:`"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed (it is in the test extra)"
    return found


def test_workflows_match_the_github_schema():
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_even_pedantic():
    result = subprocess.run([_tool("zizmor"), "--offline", "--persona=pedantic", str(ROOT / ".github/workflows")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    ignores = re.findall(r"zizmor: ignore\[([\w-]+)\]\s*(.*)", "".join(p.read_text() for p in WORKFLOWS))
    assert all(reason.strip() for _, reason in ignores), "every zizmor suppression says why"


@pytest.mark.parametrize("requirement", ["smm-git==0.1.0", "git+https://github.com/o/smm@v0.1.0", "./vendor/smm[test]"])
def test_generated_workflows_pass_their_own_checks_for_every_requirement_form(tmp_path, requirement):
    from smm.workspace.newrepo import WORKFLOWS as GENERATED
    from smm.workspace.newrepo import workflow

    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name in GENERATED:
        (folder / name).write_text(workflow(name, requirement))
    schema = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, sorted(folder.iterdir()))], capture_output=True, text=True)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    zizmor = subprocess.run([_tool("zizmor"), "--offline", "--persona=pedantic", str(folder)], capture_output=True, text=True)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr


def test_the_scheduled_job_reads_the_inbox_and_opens_one_issue_per_urgent_item():
    steps_ = load(ROOT / ".github/workflows/publish.yml")["jobs"]["publish"]["steps"]
    inbox = next(s for s in steps_ if "smm inbox" in s.get("run", ""))
    assert "smm inbox --auto --commit --push --format json > inbox.json" in inbox["run"]
    assert {"SMM_MASTODON_TOKEN", "SMM_BLUESKY_APP_PASSWORD", "SMM_ROTATED_SECRETS"} <= set(inbox["env"])
    escalate = next(s for s in steps_ if "gh issue create" in s.get("run", ""))
    assert escalate["env"] == {"GH_TOKEN": "${{ github.token }}"}  # the workflow's own token, no secret
    assert 'select(.priority == "urgent")' in escalate["run"] and "<!-- smm-item: $id -->" in escalate["run"]
    assert "${{" not in escalate["run"]  # no expression in the script: item text reaches it only as data
    assert steps_.index(inbox) < steps_.index(escalate)


@pytest.mark.parametrize("path", [ROOT / ".github/workflows/check.yml", SCAFFOLD / "workflows/check.yml"],
                         ids=["this repository", "smm init"])
def test_a_pull_requests_first_check_restores_the_cache_the_default_branch_saved(path):
    """check.yml saves smm check's cache on the default branch alone, whatever the check found;
    validate.yml restores a pull request's own cache, else that one. The cache never flows the
    other way: a pull request's is its own, and publish.yml restores none."""
    workflow = load(path)
    assert list(workflow["on"]) == ["push"]
    (job,) = workflow["jobs"].values()
    assert job["if"] == "github.ref_name == github.event.repository.default_branch"
    assert job["permissions"] == {"contents": "read"}
    restore, save = (next(s for s in job["steps"] if s.get("uses", "").startswith(f"actions/cache/{kind}@"))
                     for kind in ("restore", "save"))
    assert restore["with"] == {"path": "~/.cache/smm", "key": "smm-check-main-${{ github.sha }}",
                               "restore-keys": "smm-check-main-"}
    assert save["with"] == {"path": "~/.cache/smm", "key": "smm-check-main-${{ github.sha }}"}
    assert save["if"] == "${{ always() }}"  # saved when the check found errors too
    check = next(s for s in job["steps"] if "smm check" in s.get("run", ""))
    order = [job["steps"].index(s) for s in (restore, check, save, job["steps"][-1])]
    assert order == sorted(order) and 'exit "$CHECK_STATUS"' in job["steps"][-1]["run"]
    validate = load(path.parent / "validate.yml")
    cache = next(s for s in steps(validate) if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["restore-keys"].splitlines() == ["smm-check-pr-${{ github.event.pull_request.number }}-",
                                                     "smm-check-main-"]
    publish = (path.parent / "publish.yml").read_text()
    assert "actions/cache" not in publish


@pytest.mark.parametrize("path", [ROOT / ".github/workflows/pages.yml", SCAFFOLD / "workflows/pages.yml"],
                         ids=["this repository", "smm init"])
def test_pages_builds_the_site_and_deploys_it_with_the_official_actions_and_least_privilege(path):
    workflow = load(path)
    assert workflow["on"]["workflow_run"] == {"workflows": ["publish"], "types": ["completed"]}
    assert {"push", "workflow_dispatch"} <= set(workflow["on"])
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["if"] == "github.ref_name == github.event.repository.default_branch"  # Pages shows that branch
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"} and deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    uses = [s["uses"].split("@")[0] for s in steps(workflow) if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/cache", "actions/configure-pages",
                    "actions/upload-pages-artifact", "actions/deploy-pages"]
    cache = next(s for s in build["steps"] if "actions/cache" in s.get("uses", ""))  # the last build's, on this branch
    assert cache["with"] == {"path": "~/.cache/smm", "key": "smm-site-${{ github.run_id }}", "restore-keys": "smm-site-"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]  # no checkout, no code
    site = next(s for s in build["steps"] if "smm site build" in s.get("run", ""))
    assert site["env"] == {"SITE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert site["run"] == 'smm site build --out _site --base-url "${SITE_URL%/}/"'
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"] == {"path": "_site"}
    checkout = next(s for s in build["steps"] if "checkout" in s.get("uses", ""))
    assert checkout["with"]["persist-credentials"] is False


def test_the_pages_workflow_builds_the_site_of_a_new_repository(tmp_path, smm):
    """The build step's own script, run as the runner runs it, on what `smm init` writes; the folder it
    uploads holds the site, its canonical links on the Pages URL."""
    target = tmp_path / "brand"
    assert smm("init", str(target), "--now", "2026-11-26T10:00")[0] == 0
    build = load(target / ".github/workflows/pages.yml")["jobs"]["build"]
    step = next(s for s in build["steps"] if "smm site build" in s.get("run", ""))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "SMM_CACHE_DIR": str(tmp_path / "cache"),
           "SITE_URL": "https://acme.github.io/social"}  # configure-pages' base_url: no trailing slash
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=target, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    site = target / next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))["with"]["path"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical" href="https://acme.github.io/social/index.html"' in home
    assert (site / "calendar" / "index.html").is_file() and (site / "sitemap.xml").is_file()


@pytest.mark.parametrize("path", [ROOT / ".github/workflows/publish.yml", ROOT / "smm/scaffold/workflows/publish.yml"],
                         ids=["repository", "scaffold"])
def test_the_scheduled_job_puts_the_alerts_in_its_summary(path):
    steps_ = load(path)["jobs"]["publish"]["steps"]
    alerts = next(s for s in steps_ if "smm report --alerts" in s.get("run", ""))
    assert '--format markdown >> "$GITHUB_STEP_SUMMARY"' in alerts["run"] and alerts["if"] == "${{ !cancelled() }}"
    assert "env" not in alerts  # the report reads data/ only: no secret
    metrics = next(s for s in steps_ if "smm metrics" in s.get("run", ""))
    assert steps_.index(metrics) < steps_.index(alerts)
