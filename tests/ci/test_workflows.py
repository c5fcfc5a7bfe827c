"""The CI workflows (.github/workflows), checked offline: their structure, read as YAML, and actionlint.

The workflows are what a team copies when it forks the project, so their gate must hold for any
valid configuration: the project's own tests (`make test`) and the offline plan of the team's own
stack files with the policy pack (`make plan`), both before any role is assumed, and every job
that previews or deploys behind that gate.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.paths import PROJECT_DIR

ROOT = PROJECT_DIR
WORKFLOWS = ROOT / ".github" / "workflows"
GATE = "gate"
GATED = ("preview.yml", "deploy.yml")  # the workflows triggered by events; up.yml is called by deploy.yml


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def _steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]


def _step_index(job: dict, run: str) -> int:
    found = [i for i, s in enumerate(job["steps"]) if s.get("run", "").strip() == run]
    assert len(found) == 1, f"expected one step running {run!r}, found {len(found)}"
    return found[0]


def _needs(job: dict) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _make_recipe(target: str) -> list[str]:
    """The recipe lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{re.escape(target)}\s*:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


# --------------------------------------------------------------------------- the gate


def test_make_plan_is_the_offline_plan_of_every_stack_file_of_the_repository():
    # The gate runs `make plan`; it must plan the repository's own Pulumi.<stack>.yaml files, all
    # of them, with the policy pack (which the offline plan always applies), not some other folder.
    (recipe,) = _make_recipe("plan")
    assert recipe == "$(PY) -m tools.plan", recipe
    assert _make_recipe("test") == ["$(PY) -m pytest"]


@pytest.mark.parametrize("name", GATED)
def test_the_gate_runs_the_offline_plan_and_the_tests_before_anything_else(name):
    wf = _workflow(name)
    gate = wf["jobs"][GATE]
    assert _needs(gate) == []  # the first job of the run
    plan, tests = _step_index(gate, "make plan"), _step_index(gate, "make test")
    matrix = next(i for i, s in enumerate(gate["steps"]) if "tools.deploy matrix --github-output" in s.get("run", ""))
    assert plan < matrix and tests < matrix  # no matrix, so no preview or up, unless both passed
    assert "if" not in gate["steps"][plan] and "if" not in gate["steps"][matrix]
    # The tests run after a failed plan too, so a team sees both results in one run.
    assert "!cancelled()" in gate["steps"][tests].get("if", "") or "always()" in gate["steps"][tests].get("if", "")
    # Setup and the plan come first: checkout and Python, then nothing that reaches an account.
    assert [s.get("uses", "").partition("@")[0] for s in gate["steps"][:plan]] == [
        "actions/checkout",
        "actions/setup-python",
    ]


@pytest.mark.parametrize("name", GATED)
def test_the_gate_reaches_no_account_and_no_backend(name):
    wf = _workflow(name)
    gate = wf["jobs"][GATE]
    permissions = gate.get("permissions", wf["permissions"])
    assert permissions == {"contents": "read"}  # no id-token: no role can be assumed
    assert not _steps_using(gate, "aws-actions/configure-aws-credentials") and not _steps_using(gate, "pulumi/actions")
    assert "environment" not in gate
    assert "secrets" not in yaml.safe_dump(gate)


@pytest.mark.parametrize("name", GATED)
def test_every_preview_and_deploy_job_needs_the_gate_and_runs_only_if_it_passed(name):
    jobs = _workflow(name)["jobs"]
    others = {job_id: job for job_id, job in jobs.items() if job_id != GATE}
    assert others
    for job_id, job in others.items():
        assert GATE in _needs(job), f"{name}: job {job_id} does not need the gate"
        # always(), failure() or cancelled() in a job's `if` would run it after a failed gate.
        assert not re.search(r"\b(always|failure|cancelled)\(", str(job.get("if", ""))), (name, job_id, job["if"])


def test_pull_requests_pass_the_gate_then_preview_every_stack_from_the_generated_matrix():
    wf = _workflow("preview.yml")
    assert list(wf[True]) == ["pull_request"]  # YAML reads the key `on` as True
    gate, preview = wf["jobs"][GATE], wf["jobs"]["preview"]
    assert gate["outputs"] == {
        "stacks": "${{ steps.matrix.outputs.all }}",
        "count": "${{ steps.matrix.outputs.all-count }}",
    }
    assert preview["needs"] == GATE and preview["strategy"]["matrix"] == "${{ fromJSON(needs.gate.outputs.stacks) }}"
    assert preview["if"] == "needs.gate.outputs.count != '0'"
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    assert "environment" not in preview  # the OIDC subject is then repo:<org>/<repo>:pull_request
    (aws,) = _steps_using(preview, "aws-actions/configure-aws-credentials")
    assert preview["env"]["ROLE_ARN"] == "${{ vars[format('AWS_PREVIEW_ROLE_{0}', matrix.var)] }}"
    assert (
        aws["with"]["role-to-assume"] == "${{ env.ROLE_ARN }}"
        and aws["with"]["allowed-account-ids"] == "${{ matrix.account }}"
    )
    (pulumi,) = _steps_using(preview, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["stack-name"] == "${{ matrix.fqn }}"


def test_the_default_branch_passes_the_gate_then_deploys_the_first_wave_then_the_second_behind_environments():
    wf = _workflow("deploy.yml")
    assert wf[True]["push"]["branches"] == ["main"]
    jobs = wf["jobs"]
    assert jobs[GATE]["if"] == "github.ref_name == github.event.repository.default_branch"
    assert jobs["shared"]["needs"] == GATE and jobs["lobs"]["needs"] == [GATE, "shared"]
    assert jobs["shared"]["strategy"]["matrix"] == "${{ fromJSON(needs.gate.outputs.first) }}"
    assert jobs["lobs"]["strategy"]["matrix"] == "${{ fromJSON(needs.gate.outputs.second) }}"
    assert jobs["shared"]["uses"] == jobs["lobs"]["uses"] == "./.github/workflows/up.yml"
    assert wf["concurrency"]["cancel-in-progress"] is False
    up = _workflow("up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.stack }}"  # OIDC subject repo:<org>/<repo>:environment:<stack>
    assert up["env"]["ROLE_ARN"] == "${{ vars[format('AWS_DEPLOY_ROLE_{0}', inputs.var)] }}"
    (pulumi,) = _steps_using(up, "pulumi/actions")
    assert pulumi["with"]["command"] == "up" and pulumi["with"]["policyPacks"] == "policy"


def test_up_is_only_called_from_behind_the_gate():
    assert list(_workflow("up.yml")[True]) == ["workflow_call"]
    callers = {
        (path.name, job_id)
        for path in WORKFLOWS.glob("*.yml")
        for job_id, job in yaml.safe_load(path.read_text())["jobs"].items()
        if job.get("uses") == "./.github/workflows/up.yml"
    }
    assert callers == {("deploy.yml", "shared"), ("deploy.yml", "lobs")}


# --------------------------------------------------------------------------- the jobs that run pulumi


_PINNED = re.compile(r"^\s*-?\s*uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<tag>\S+))?\s*$")


def _remote_uses() -> list[tuple[str, str, str, str | None]]:
    """(file, action, ref, tag comment) of every `uses:` of another repository's action."""
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            if "uses:" in line and "./" not in line:
                match = _PINNED.match(line)
                assert match, f"{path.name}: cannot read {line.strip()!r}"
                found.append((path.name, match["action"], match["ref"], match["tag"]))
    return found


def test_every_action_is_pinned_by_commit_sha_with_its_release_tag():
    # A tag can be moved to other code; a commit SHA cannot. The comment says which release it is.
    uses = _remote_uses()
    assert {action for _, action, _, _ in uses} >= {"actions/checkout", "pulumi/actions"}
    for name, action, ref, tag in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), (name, action, ref)
        assert tag and re.fullmatch(r"v\d+(\.\d+)*", tag), (name, action, "tag comment missing")
    # One action, one pin, in every workflow.
    pins: dict[str, set[tuple[str, str | None]]] = {}
    for _, action, ref, tag in uses:
        pins.setdefault(action, set()).add((ref, tag))
    assert all(len(p) == 1 for p in pins.values()), pins


def _backend_credentials(env: dict) -> dict:
    return {k: v for k, v in env.items() if k in ("PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE")}


@pytest.mark.parametrize("name, job", [("preview.yml", "preview"), ("up.yml", "up")])
def test_each_pulumi_step_gets_only_the_credential_of_its_backend(name, job):
    steps = _workflow(name)["jobs"][job]["steps"]
    text = yaml.safe_dump(steps)
    # Secrets only on the steps that run Pulumi, never on setup, checkout or the AWS step.
    with_secrets = [s for s in steps if "secrets." in yaml.safe_dump(s)]
    assert with_secrets and all(
        s.get("uses", "").startswith("pulumi/actions@") or "pulumi stack output" in s.get("run", "")
        for s in with_secrets
    )
    for step in with_secrets:
        assert _backend_credentials(step["env"]) == {
            "PULUMI_ACCESS_TOKEN": "${{ vars.PULUMI_BACKEND_URL == '' && secrets.PULUMI_ACCESS_TOKEN || '' }}",
            "PULUMI_CONFIG_PASSPHRASE": "${{ vars.PULUMI_BACKEND_URL != '' && secrets.PULUMI_CONFIG_PASSPHRASE || '' }}",
        }
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"}


def test_previews_hold_no_secret_outside_the_preview_step():
    wf = _workflow("preview.yml")
    assert "secrets" not in yaml.safe_dump(wf["jobs"]["gate"])
    preview = wf["jobs"]["preview"]
    assert "secrets." not in yaml.safe_dump(preview.get("env", {}))
    assert preview["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}


def test_the_jobs_that_run_pulumi_install_the_program_and_the_pack_where_they_run():
    program_venv = ROOT / yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    pack_venv = (
        ROOT
        / "policy"
        / yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())["runtime"]["options"]["virtualenv"]
    )
    assert program_venv.resolve() == pack_venv.resolve() == (ROOT / ".venv").resolve()
    for name, job in (("preview.yml", "preview"), ("up.yml", "up")):
        steps = _workflow(name)["jobs"][job]["steps"]
        runs = [s.get("run", "") for s in steps]
        install = next(i for i, r in enumerate(runs) if "pip install" in r)
        assert (
            "python -m venv .venv" in runs[install]
            and "-r requirements.txt -r policy/requirements.txt" in runs[install]
        )
        pulumi = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))
        assert install < pulumi


# --------------------------------------------------------------------------- actionlint


def _actionlint(folder: Path) -> subprocess.CompletedProcess:
    binary = Path(sys.executable).with_name("actionlint")
    binary = binary if binary.exists() else shutil.which("actionlint")
    assert binary, "actionlint is not installed: pip install -r requirements-dev.txt"
    # shellcheck and pyflakes are turned off: they are not installed everywhere the tests run.
    files = sorted(str(p) for p in (folder / ".github" / "workflows").glob("*.yml"))
    return subprocess.run(
        [str(binary), "-shellcheck=", "-pyflakes=", "-no-color", *files],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_actionlint_passes_on_our_workflows():
    result = _actionlint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "name, old, new, expected",
    [
        ("preview.yml", "needs.gate.outputs.stacks", "needs.gates.outputs.stacks", 'property "gates" is not defined'),
        ("preview.yml", "    needs: gate\n", "", 'property "gate" is not defined'),
        ("deploy.yml", "needs: [gate, shared]", "needs: [shared]", 'property "gate" is not defined'),
        ("preview.yml", "pull-requests: write", "pull-request: write", 'unknown permission scope "pull-request"'),
        ("deploy.yml", "      region: ${{ matrix.region }}\n", "", 'input "region" is required'),
        ("up.yml", "id-token: write # the OIDC", "id-token: writ # the OIDC", "writ"),
    ],
)
def test_actionlint_catches_a_broken_workflow(tmp_path, name, old, new, expected):
    (tmp_path / ".git").mkdir()  # actionlint finds the repository (and local reusable workflows) by it
    (tmp_path / ".github").mkdir()
    shutil.copytree(WORKFLOWS, tmp_path / ".github" / "workflows")
    source = (WORKFLOWS / name).read_text()
    assert old in source
    (tmp_path / ".github" / "workflows" / name).write_text(source.replace(old, new))
    result = _actionlint(tmp_path)
    assert result.returncode != 0 and expected in result.stdout, result.stdout
