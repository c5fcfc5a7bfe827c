"""The deploy tool, the CI workflows and the CI roles (bootstrap/), all checked offline.

The Automation API needs the `pulumi` CLI, which this machine lacks: the tool's seam is a
`Backend` (select a stack -> up/preview/destroy/outputs), faked here; the real backend's calls
into `pulumi.automation` are checked with those functions replaced.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from components import config, outputs
from components.config import ConfigError, LoadedStack, LobStackConfig
from tools import deploy
from tests.conftest import EXAMPLE, FIXTURES
from tools import graph
from tools import plan as plan_tool

ROOT = config.PROJECT_DIR
ORG = "organization"


def fqn(stack: str) -> str:
    return f"{ORG}/studio-access/{stack}"


# --------------------------------------------------------------------------- a fake backend


SHARED_OUTPUTS = {
    **{name: f"value-of-{name}" for name in outputs.READ_BY_LOB},
    outputs.API_URL: "https://abc123.execute-api.us-east-1.amazonaws.com/dev",
    outputs.REGION: "us-east-1",
    outputs.IDENTITY_PROVIDER: "cognito",
    outputs.TOKEN_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool",
    outputs.USER_POOL_ID: "us-east-1_Pool",
    outputs.USER_POOL_CLIENT_ID: "client123",
}
LOB_OUTPUTS = {outputs.DOMAIN_ID: "d-abc", outputs.USER_PROFILE_NAMES: ["user-lob-a"], outputs.ACCESS_ROLE_ARN: "arn:aws:iam::222222222222:role/SagemakerStudioAccessRole"}


class FakeStack:
    def __init__(self, backend: "FakeBackend", name: str):
        self.backend, self.name = backend, name

    def _op(self, action: str, kwargs: dict):
        b = self.backend
        with b.lock:
            b.events.append(("start", action, self.name))
            b.calls.append((action, self.name, kwargs))
        kwargs["on_output"](f"{action} {self.name} running\n")
        hook = b.hooks.get(self.name)
        if hook:
            hook()
        with b.lock:
            b.events.append(("end", action, self.name))
        if action == "up":
            b.deployed[self.name] = b.produces.get(self.name, {})
        if action == "destroy":
            b.deployed.pop(self.name, None)
        return auto.PreviewResult("", "", {auto.OpType.CREATE: 3})

    def up(self, **kwargs):
        return self._op("up", kwargs)

    def preview(self, **kwargs):
        return self._op("preview", kwargs)

    def destroy(self, **kwargs):
        return self._op("destroy", kwargs)

    def outputs(self):
        return {k: auto.OutputValue(v, secret=False) for k, v in self.backend.deployed.get(self.name, {}).items()}


class FakeBackend:
    """Stacks that exist (`existing`), what `up` makes them export (`produces`), hooks per stack."""

    def __init__(self, existing=(), deployed=None, produces=None, hooks=None):
        self.existing = set(existing)
        self.deployed = dict(deployed or {})
        self.produces = produces or {fqn("shared"): SHARED_OUTPUTS, fqn("lob-a"): LOB_OUTPUTS, fqn("lob-b"): LOB_OUTPUTS}
        self.hooks = hooks or {}
        self.selects: list[tuple[str, bool]] = []
        self.envs: dict[str, dict | None] = {}
        self.calls: list[tuple[str, str, dict]] = []
        self.events: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def select(self, name: str, *, create: bool, env=None):
        self.selects.append((name, create))
        self.envs[name] = env
        if name not in self.existing and name not in self.deployed:
            if not create:
                raise deploy.StackMissing(name)
            self.existing.add(name)
        return FakeStack(self, name)

    def started(self, action: str) -> list[str]:
        return [name for kind, a, name in self.events if kind == "start" and a == action]

    def index(self, kind: str, action: str, name: str) -> int:
        return self.events.index((kind, action, name))


ALL = [fqn("shared"), fqn("lob-a"), fqn("lob-b")]


def quiet() -> deploy.Printer:
    return deploy.Printer(lambda line: None)


def concurrent(*names: str):
    """Hooks that make the named stacks wait for each other: they pass only if run at once."""
    barrier = threading.Barrier(len(names), timeout=10)
    return {fqn(n): barrier.wait for n in names}


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedStack]:
    return deploy.load_project(EXAMPLE)


# --------------------------------------------------------------------------- order


def test_waves_of_the_project_come_from_its_stack_files(loaded):
    assert deploy.waves(loaded) == [["shared"], ["lob-a", "lob-b"]]
    assert {s: t.depends_on for s, t in deploy.targets(loaded).items()} == {"shared": (), "lob-a": ("shared",), "lob-b": ("shared",)}
    assert {t.fqn for t in deploy.targets(loaded).values()} == set(ALL)


def _add_lob(project, name: str, account: str, second_octet: int, shared: str = "shared") -> None:
    cfg = project.read("lob-b")
    cfg["studio-access:aws"]["accountId"] = account
    lob = cfg["studio-access:lob"]
    lob.update(
        name=name,
        sharedStack=fqn(shared),
        vpcCidr=f"10.{second_octet}.0.0/16",
        privateSubnets=[f"10.{second_octet}.10.0/24", f"10.{second_octet}.11.0/24"],
        attachmentSubnets=[f"10.{second_octet}.20.0/24", f"10.{second_octet}.21.0/24"],
        domainName=f"sagemaker-domain-{name}",
        userProfiles=[],
    )
    project.write(name, cfg)
    project.edit(shared, lambda c: c["studio-access:lobs"].append({"name": name, "accountId": account}))


def test_the_order_follows_the_references_not_the_stack_names(project):
    """Rename the shared stack to `hub` and add a LOB: the waves follow the config."""
    project.file("shared").rename(project.file("hub"))
    for lob in ("lob-a", "lob-b"):
        project.edit(lob, lambda c: c["studio-access:lob"].update(sharedStack=fqn("hub")))
    _add_lob(project, "lob-c", "444444444444", 130, shared="hub")
    loaded = deploy.load_project(project.path)
    assert deploy.waves(loaded) == [["hub"], ["lob-a", "lob-b", "lob-c"]]


def _lob_pointing_at(stack: str, target: str) -> LoadedStack:
    values = config.project_values(config.read_stack_file(config.stack_file("lob-a", EXAMPLE)))
    values["lob"] = {**values["lob"], "sharedStack": fqn(target)}
    return LoadedStack(stack, f"Pulumi.{stack}.yaml", LobStackConfig.model_validate(values))


def test_a_cycle_is_an_error_naming_the_stacks():
    loaded = {"lob-a": _lob_pointing_at("lob-a", "lob-b"), "lob-b": _lob_pointing_at("lob-b", "lob-a")}
    with pytest.raises(ConfigError) as err:
        deploy.waves(loaded)
    assert "cycle: lob-a -> lob-b -> lob-a" in str(err.value)


def test_a_reference_to_an_unknown_stack_is_an_error_naming_both():
    loaded = {"lob-a": _lob_pointing_at("lob-a", "ghost")}
    with pytest.raises(ConfigError) as err:
        deploy.waves(loaded)
    assert "Pulumi.lob-a.yaml" in str(err.value) and "references stack ghost, which has no stack file" in str(err.value)


def test_a_stack_file_naming_a_missing_shared_stack_stops_the_deploy(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(sharedStack=fqn("ghost")))
    backend = FakeBackend()
    assert deploy.main(["up", "--no-policy-pack"], project_dir=project.path, backend=backend) == 2
    assert backend.calls == []


def test_lob_stacks_naming_different_organizations_are_refused(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(sharedStack="acme/studio-access/shared"))
    with pytest.raises(ConfigError) as err:
        graph.organization(deploy.load_project(project.path))
    assert "acme: lob-b" in str(err.value) and "organization: lob-a" in str(err.value)


# --------------------------------------------------------------------------- running the waves


def test_up_runs_shared_first_then_the_lob_stacks_at_once(loaded):
    backend = FakeBackend(hooks=concurrent("lob-a", "lob-b"))
    outcome = deploy.run("up", loaded, backend, policy_pack=Path("/p/policy"), printer=quiet())
    shared_done = backend.index("end", "up", fqn("shared"))
    assert all(backend.index("start", "up", fqn(s)) > shared_done for s in ("lob-a", "lob-b"))
    assert sorted(outcome.results) == ["lob-a", "lob-b", "shared"]
    assert outcome.outputs["shared"][outputs.API_URL] == SHARED_OUTPUTS[outputs.API_URL]
    assert backend.selects == [(fqn("shared"), True), (fqn("lob-a"), True), (fqn("lob-b"), True)]


def test_destroy_runs_in_reverse(loaded):
    deployed = {name: {"x": 1} for name in ALL}
    backend = FakeBackend(deployed=deployed, hooks=concurrent("lob-a", "lob-b"))
    deploy.run("destroy", loaded, backend, printer=quiet())
    shared_start = backend.index("start", "destroy", fqn("shared"))
    assert all(backend.index("end", "destroy", fqn(s)) < shared_start for s in ("lob-a", "lob-b"))
    assert all(create is False for _, create in backend.selects)


@pytest.mark.parametrize(
    "action, expected",
    [
        ("up", {"policy_packs": ["/p/policy"], "show_secrets": False}),
        ("preview", {"policy_packs": ["/p/policy"]}),
        ("destroy", {"show_secrets": False}),
    ],
)
def test_the_arguments_each_operation_gets(loaded, action, expected):
    backend = FakeBackend(existing=ALL, deployed={n: SHARED_OUTPUTS for n in ALL})
    deploy.run(action, loaded, backend, policy_pack=Path("/p/policy"), printer=quiet())
    assert {name for _, name, _ in backend.calls} == set(ALL)
    for _, _, kwargs in backend.calls:
        assert callable(kwargs.pop("on_output"))
        assert kwargs == expected
    assert all(create is (action == "up") for _, create in backend.selects)


def test_output_lines_are_prefixed_with_their_stack(loaded):
    lines = []
    deploy.run("preview", loaded, FakeBackend(existing=ALL), printer=deploy.Printer(lines.append))
    assert "[lob-a] preview organization/studio-access/lob-a running" in lines
    assert lines[0] == "wave 1/2: preview shared"


def test_a_failed_stack_stops_later_waves_and_is_named(loaded):
    def boom():
        raise RuntimeError("AccessDenied: ec2:CreateVpc")

    backend = FakeBackend(hooks={fqn("shared"): boom})
    with pytest.raises(deploy.DeployError) as err:
        deploy.run("up", loaded, backend, printer=quiet())
    assert "up failed for shared" in str(err.value) and "AccessDenied: ec2:CreateVpc" in str(err.value)
    assert "not started: lob-a, lob-b" in str(err.value)
    assert backend.started("up") == [fqn("shared")]


def test_a_failure_in_a_wave_lets_the_rest_of_the_wave_finish(loaded):
    def boom():
        raise RuntimeError("quota")

    backend = FakeBackend(hooks={fqn("lob-a"): boom})
    with pytest.raises(deploy.DeployError) as err:
        deploy.run("up", loaded, backend, printer=quiet())
    assert "up failed for lob-a" in str(err.value) and "not started" not in str(err.value)
    assert ("end", "up", fqn("lob-b")) in backend.events


def test_preview_of_a_stack_that_was_never_created_says_how_to_create_it(loaded):
    with pytest.raises(deploy.SelectionError) as err:
        deploy.run("preview", loaded, FakeBackend(existing=[fqn("shared")]), printer=quiet())
    assert "pulumi stack init organization/studio-access/lob-a" in str(err.value)


# --------------------------------------------------------------------------- --stack


def test_stack_picks_some_and_reads_the_rest_from_the_backend(loaded):
    backend = FakeBackend(deployed={fqn("shared"): SHARED_OUTPUTS})
    deploy.run("up", loaded, backend, picked=["lob-a"], printer=quiet())
    assert [name for _, name, _ in backend.calls] == [fqn("lob-a")]


@pytest.mark.parametrize(
    "deployed, message",
    [
        ({}, "stack lob-a reads stack organization/studio-access/shared, which is not picked and does not exist: deploy it first or add --stack shared"),
        ({fqn("shared"): {outputs.API_URL: "x"}}, "lacks outputs " + ", ".join(outputs.READ_BY_LOB)),
    ],
)
def test_stack_refuses_a_pick_whose_dependency_is_not_deployed(loaded, deployed, message):
    backend = FakeBackend(existing=deployed, deployed=deployed)
    for action in ("up", "preview"):
        with pytest.raises(deploy.SelectionError) as err:
            deploy.run(action, loaded, backend, picked=["lob-a"], printer=quiet())
        assert message in str(err.value)
    assert backend.calls == []


def test_stack_with_its_dependency_picked_runs_both_in_order(loaded):
    backend = FakeBackend()
    deploy.run("up", loaded, backend, picked=["lob-b", "shared"], printer=quiet())
    assert [name for _, name, _ in backend.calls] == [fqn("shared"), fqn("lob-b")]


def test_destroying_a_stack_that_others_still_read_is_refused(loaded):
    backend = FakeBackend(deployed={n: {"x": 1} for n in ALL})
    with pytest.raises(deploy.SelectionError) as err:
        deploy.run("destroy", loaded, backend, picked=["shared"], printer=quiet())
    assert "stack shared is read by stack organization/studio-access/lob-a, which is still deployed" in str(err.value)
    assert "add --stack lob-b" in str(err.value)
    assert backend.calls == []


def test_destroying_a_stack_nobody_reads_any_more_runs(loaded):
    backend = FakeBackend(deployed={fqn("shared"): {"x": 1}}, existing=[fqn("lob-a")])
    deploy.run("destroy", loaded, backend, picked=["shared"], printer=quiet())
    assert [name for _, name, _ in backend.calls] == [fqn("shared")]


def test_stack_with_an_unknown_name_is_refused(loaded, capsys):
    with pytest.raises(deploy.SelectionError) as err:
        deploy.run("up", loaded, FakeBackend(), picked=["lob-z"], printer=quiet())
    assert "no stack file for lob-z (known stacks: lob-a, lob-b, shared)" in str(err.value)
    assert deploy.main(["preview", "--stack", "lob-z", "--no-policy-pack"], project_dir=EXAMPLE) == 2  # before the CLI is looked for
    assert "no stack file for lob-z" in capsys.readouterr().err


def test_profiles_reach_only_their_stacks(loaded):
    backend = FakeBackend()
    deploy.run("up", loaded, backend, printer=quiet(), profiles={"lob-a": "lob-a-admin", "shared": "shared-admin"})
    assert backend.envs == {fqn("shared"): {"AWS_PROFILE": "shared-admin"}, fqn("lob-a"): {"AWS_PROFILE": "lob-a-admin"}, fqn("lob-b"): None}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--profile", "lob-z=x"], "--profile for lob-z, which has no stack file"),
        (["--profile", "lob-a"], "--profile 'lob-a': expected STACK=PROFILE"),
    ],
)
def test_bad_profiles_are_refused_before_anything_runs(project, capsys, argv, message):
    backend = FakeBackend()
    assert deploy.main(["up", "--no-policy-pack", *argv], project_dir=project.path, backend=backend) == 2
    assert message in capsys.readouterr().err and backend.calls == []


# --------------------------------------------------------------------------- the Automation API


def test_the_real_backend_selects_in_the_project_folder(monkeypatch):
    calls = []

    def fake(kind):
        def call(**kwargs):
            calls.append((kind, kwargs))
            if kwargs["stack_name"].endswith("missing"):
                raise auto.StackNotFoundError(auto.CommandResult("", "no stack named missing", 255))
            return "stack"

        return call

    monkeypatch.setattr(auto, "create_or_select_stack", fake("create_or_select"))
    monkeypatch.setattr(auto, "select_stack", fake("select"))
    backend = deploy.AutomationBackend()
    assert backend.select(fqn("shared"), create=True) == "stack"
    assert backend.select(fqn("lob-a"), create=False, env={"AWS_PROFILE": "lob-a-admin"}) == "stack"
    with pytest.raises(deploy.StackMissing):
        backend.select(fqn("missing"), create=False)
    assert calls[0] == ("create_or_select", {"stack_name": fqn("shared"), "work_dir": str(ROOT), "opts": None})
    kind, kwargs = calls[1]
    assert kind == "select" and kwargs["stack_name"] == fqn("lob-a") and kwargs["work_dir"] == str(ROOT)
    assert kwargs["opts"].env_vars == {"AWS_PROFILE": "lob-a-admin"}


def test_without_the_pulumi_cli_the_tool_says_so(monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert deploy.main(["up", "--no-policy-pack"], project_dir=EXAMPLE) == 2
    assert "the pulumi CLI is not on PATH" in capsys.readouterr().err


def test_up_without_a_policy_pack_needs_to_be_asked_for(project, capsys):
    assert deploy.main(["up"], project_dir=project.path, backend=FakeBackend()) == 2
    assert "--no-policy-pack" in capsys.readouterr().err


# --------------------------------------------------------------------------- what the user needs next


def test_client_config_from_the_shared_outputs():
    values = {k: auto.OutputValue(v, secret=False) for k, v in SHARED_OUTPUTS.items()}
    assert deploy.client_config(values) == {
        "apiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/dev",
        "region": "us-east-1",
        "identityProvider": "cognito",
        "tokenIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool",
        "userPoolId": "us-east-1_Pool",
        "clientId": "client123",
    }


def test_client_config_for_an_oidc_issuer_has_no_pool():
    values = {**SHARED_OUTPUTS, outputs.IDENTITY_PROVIDER: "oidc", outputs.TOKEN_ISSUER: "https://login.example.com"}
    del values[outputs.USER_POOL_ID], values[outputs.USER_POOL_CLIENT_ID]
    assert deploy.client_config(values) == {
        "apiUrl": SHARED_OUTPUTS[outputs.API_URL],
        "region": "us-east-1",
        "identityProvider": "oidc",
        "tokenIssuer": "https://login.example.com",
    }


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda v: v.pop(outputs.API_URL), "lack apiUrl"),
        (lambda v: v.pop(outputs.USER_POOL_CLIENT_ID), "lack userPoolClientId"),
        (lambda v: v.update({outputs.USER_POOL_ID: auto.OutputValue("x", secret=True)}), "userPoolId are secret"),
        (lambda v: v.update({outputs.IDENTITY_PROVIDER: "saml"}), "expected cognito or oidc"),
    ],
)
def test_client_config_refuses_incomplete_outputs(change, message):
    values = dict(SHARED_OUTPUTS)
    change(values)
    with pytest.raises(ValueError) as err:
        deploy.client_config(values)
    assert message in str(err.value)


def test_the_shared_program_exports_what_the_client_config_needs(planned):
    cfg = deploy.client_config(planned["shared"].outputs)
    assert cfg["apiUrl"].startswith("https://") and cfg["apiUrl"].endswith("/dev")
    assert cfg["tokenIssuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{cfg['userPoolId']}"


def test_up_prints_what_comes_next_and_writes_the_client_config(project, tmp_path, capsys):
    target = tmp_path / "out" / "client.json"
    assert deploy.main(["up", "--no-policy-pack", "--client-config", str(target)], project_dir=project.path, backend=FakeBackend()) == 0
    printed = capsys.readouterr().out
    assert f"API URL: {SHARED_OUTPUTS[outputs.API_URL]}" in printed
    assert "Cognito user pool id: us-east-1_Pool" in printed and "Cognito app client id: client123" in printed
    assert "SageMaker domain id: d-abc" in printed and "user profiles: user-lob-a" in printed
    assert "shared: create 3" in printed
    assert json.loads(target.read_text()) == deploy.client_config(SHARED_OUTPUTS)


def test_client_config_command_reads_stack_output_json(tmp_path):
    source, target = tmp_path / "outputs.json", tmp_path / "client.json"
    source.write_text(json.dumps({**SHARED_OUTPUTS, outputs.ONPREM_OPEN_URL: "ignored"}))
    assert deploy.main(["client-config", str(source), str(target)], project_dir=EXAMPLE) == 0
    assert json.loads(target.read_text()) == deploy.client_config(SHARED_OUTPUTS)
    source.write_text(json.dumps({outputs.REGION: "us-east-1"}))
    assert deploy.main(["client-config", str(source), str(target)], project_dir=EXAMPLE) == 2


def test_secret_outputs_are_never_shown():
    values = {outputs.API_URL: auto.OutputValue("https://x", secret=False), "token": auto.OutputValue("hunter2", secret=True)}
    assert deploy.plain_outputs(values) == {outputs.API_URL: "https://x", "token": "[secret]"}


# --------------------------------------------------------------------------- the CI matrix


def test_the_matrix_covers_every_stack_file(loaded):
    m = deploy.matrix(loaded)
    assert sorted(e["stack"] for e in m["all"]["include"]) == plan_tool.discover(EXAMPLE)
    assert [e["stack"] for e in m["first"]["include"]] == ["shared"]
    assert [e["stack"] for e in m["second"]["include"]] == ["lob-a", "lob-b"]
    assert m["all"]["include"][1] == {"stack": "lob-a", "fqn": fqn("lob-a"), "var": "LOB_A", "region": "us-east-1", "account": "222222222222"}


def test_a_new_lob_file_joins_the_matrix(project):
    _add_lob(project, "lob-c", "444444444444", 130)
    m = deploy.matrix(deploy.load_project(project.path))
    assert [e["stack"] for e in m["second"]["include"]] == ["lob-a", "lob-b", "lob-c"]
    assert sorted(e["stack"] for e in m["all"]["include"]) == plan_tool.discover(project.path)


def test_the_matrix_step_writes_github_outputs(tmp_path):
    out = tmp_path / "github_output"
    out.write_text("earlier=1\n")
    assert deploy.main(["matrix", "--github-output", str(out)], project_dir=EXAMPLE) == 0
    lines = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert lines["earlier"] == "1" and lines["second-count"] == "2" and lines["first-count"] == "1"
    assert [e["stack"] for e in json.loads(lines["all"])["include"]] == ["shared", "lob-a", "lob-b"]


def test_variable_names_for_stacks():
    assert [deploy.variable_suffix(s) for s in ("shared", "lob-a", "lob.b2")] == ["SHARED", "LOB_A", "LOB_B2"]


# --------------------------------------------------------------------------- the CI roles (bootstrap/)

BOOTSTRAP = ROOT / "bootstrap"
REPO = "acme/studio-access"
ACCOUNTS = {"shared": "111111111111", "lob": "222222222222"}
OIDC = "token.actions.githubusercontent.com"
NO_VALUE = object()


def render(template: dict, params: dict, account: str) -> dict:
    """The template's resources with the intrinsics it uses evaluated (a small CloudFormation)."""
    params = {name: spec.get("Default") for name, spec in template["Parameters"].items()} | params
    missing = [name for name, value in params.items() if value is None]
    assert not missing, f"parameters without a value: {missing}"
    pseudo = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": account}
    refs = {
        "GitHubOidcProvider": f"arn:aws:iam::{account}:oidc-provider/{OIDC}",
        "ReadPolicy": f"arn:aws:iam::{account}:policy/read",
        "DeployPolicy": f"arn:aws:iam::{account}:policy/deploy",
    }
    conditions: dict[str, bool] = {}

    def ref(name: str):
        if name == "AWS::NoValue":
            return NO_VALUE
        for table in (params, pseudo, refs):
            if name in table:
                return table[name]
        raise AssertionError(f"Ref to unknown {name}")

    def ev(node):
        if isinstance(node, dict) and len(node) == 1:
            (key, value), = node.items()
            if key == "Ref":
                return ref(value)
            if key == "Fn::Sub":
                return re.sub(r"\$\{([^}!]+)\}", lambda m: ref(m[1]), value)
            if key == "Fn::If":
                name, yes, no = value
                return ev(yes if conditions[name] else no)
            if key == "Fn::Equals":
                return ev(value[0]) == ev(value[1])
            if key == "Fn::Not":
                return not ev(value[0])
            if key == "Fn::GetAtt":
                return f"<{value[0]}.{value[1]}>"
            assert not key.startswith("Fn::"), f"intrinsic {key} not rendered by this test"
        if isinstance(node, dict):
            return {k: v for k, v in ((k, ev(v)) for k, v in node.items()) if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in map(ev, node) if v is not NO_VALUE]
        return node

    for name, expr in template.get("Conditions", {}).items():
        conditions[name] = ev(expr)
    return {name: ev(res) for name, res in template["Resources"].items() if conditions.get(res.get("Condition"), True)}


def _template(kind: str) -> dict:
    return yaml.safe_load((BOOTSTRAP / f"{kind}.yaml").read_text())  # plain YAML: a !Sub tag would fail here


def _params(kind: str, **extra) -> dict:
    base = {"GitHubRepository": REPO}
    if kind == "lob":
        base |= {"StackName": "lob-a", "LobName": "lob-a"}
    return base | extra


def _statements(doc: dict) -> list[dict]:
    return [doc["Statement"]] if isinstance(doc["Statement"], dict) else doc["Statement"]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _policy(resources: dict, name: str) -> list[dict]:
    return _statements(resources[name]["Properties"]["PolicyDocument"])


def _matches(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in _as_list(patterns))


def allows(statements: list[dict], action: str, resource: str | None = None) -> bool:
    """True when an Allow grants `action` (on `resource`, when given) and no Deny takes it away."""

    def hit(s):
        return _matches(s["Action"], action) and (resource is None or _matches(s["Resource"], resource))

    return any(hit(s) for s in statements if s["Effect"] == "Allow") and not any(
        hit(s) for s in statements if s["Effect"] == "Deny" and resource is not None
    )


@pytest.mark.parametrize("kind, stack", [("shared", "shared"), ("lob", "lob-a")])
@pytest.mark.parametrize("existing_provider", [False, True])
def test_ci_roles_trust_only_this_repository_and_its_environment(kind, stack, existing_provider):
    account = ACCOUNTS[kind]
    provider = f"arn:aws:iam::{account}:oidc-provider/{OIDC}"
    extra = {"OidcProviderArn": provider} if existing_provider else {}
    res = render(_template(kind), _params(kind, **extra), account)
    assert ("GitHubOidcProvider" in res) is not existing_provider
    if not existing_provider:
        assert res["GitHubOidcProvider"]["Properties"]["Url"] == f"https://{OIDC}"
        assert res["GitHubOidcProvider"]["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    subjects = {"PreviewRole": f"repo:{REPO}:pull_request", "DeployRole": f"repo:{REPO}:environment:{stack}"}
    for role, subject in subjects.items():
        (statement,) = _statements(res[role]["Properties"]["AssumeRolePolicyDocument"])
        assert statement == {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com", f"{OIDC}:sub": subject}},
        }
        assert res[role]["Properties"]["RoleName"] == f"studio-access-ci-{role[:-4].lower()}-{stack}"


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_ci_role_policies_have_no_wildcard_actions_and_scope_what_they_can(kind):
    res = render(_template(kind), _params(kind, StateBucketName="state-bucket"), ACCOUNTS[kind])
    documents = [_policy(res, "ReadPolicy"), _policy(res, "DeployPolicy")]
    documents += [_statements(p["PolicyDocument"]) for role in ("PreviewRole", "DeployRole") for p in res[role]["Properties"]["Policies"]]
    assert len(documents) == 4
    for statements in documents:
        for s in statements:
            for action in _as_list(s["Action"]):
                service, _, name = action.partition(":")
                assert action != "*" and name not in ("", "*"), action
                if "*" in name:  # a verb prefix, for reads only
                    assert name.startswith(("Describe", "Get", "List")), action
            if s["Effect"] == "Allow" and "*" in _as_list(s["Resource"]):
                # On "*": reads, region- or service-conditioned creates, and the two creates IAM cannot scope.
                reads = all(a.split(":")[1].startswith(("Describe", "Get", "List")) for a in _as_list(s["Action"]))
                assert reads or "Condition" in s or s["Sid"] in ("HostedZones", "CreateUserPool"), s["Sid"]


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_preview_role_only_reads(kind):
    res = render(_template(kind), _params(kind, StateBucketName="state-bucket"), ACCOUNTS[kind])
    read = _policy(res, "ReadPolicy")
    for s in read:
        for action in _as_list(s["Action"]):
            assert action.split(":")[1].startswith(("Describe", "Get", "List", "GET", "AdminGet")), action
    (state,) = res["PreviewRole"]["Properties"]["Policies"]
    writes = [s for s in _statements(state["PolicyDocument"]) if "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in writes] == ["arn:aws:s3:::state-bucket/.pulumi/locks/*"]
    assert res["PreviewRole"]["Properties"]["ManagedPolicyArns"] == [f"arn:aws:iam::{ACCOUNTS[kind]}:policy/read"]


def test_without_a_state_bucket_there_is_no_state_policy():
    res = render(_template("lob"), _params("lob"), ACCOUNTS["lob"])
    assert res["PreviewRole"]["Properties"]["Policies"] == [] == res["DeployRole"]["Properties"]["Policies"]


@pytest.mark.parametrize("kind, lob", [("shared", None), ("lob", "lob-a"), ("lob", "studio")])
def test_the_deploy_role_cannot_change_the_ci_roles(kind, lob):
    params = _params(kind) | ({"LobName": lob} if lob else {})
    deploy_policy = _policy(render(_template(kind), params, ACCOUNTS[kind]), "DeployPolicy")
    for role in ("studio-access-ci-deploy-x", "studio-access-ci-preview-x"):
        arn = f"arn:aws:iam::{ACCOUNTS[kind]}:role/{role}"
        assert not any(allows(deploy_policy, a, arn) for a in ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole"))


# What creating and deleting each resource type of the program takes (the provider's main calls).
TYPE_ACTIONS = {
    "aws:ec2/route:Route": ["ec2:CreateRoute", "ec2:DeleteRoute"],
    "aws:ec2/routeTable:RouteTable": ["ec2:CreateRouteTable", "ec2:DeleteRouteTable"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
    "aws:ec2/securityGroup:SecurityGroup": ["ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress"],
    "aws:ec2/subnet:Subnet": ["ec2:CreateSubnet", "ec2:DeleteSubnet"],
    "aws:ec2/vpc:Vpc": ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"],
    "aws:ec2/eip:Eip": ["ec2:AllocateAddress", "ec2:ReleaseAddress"],
    "aws:ec2/instance:Instance": ["ec2:RunInstances", "ec2:TerminateInstances", "ssm:GetParameter"],
    "aws:ec2/internetGateway:InternetGateway": ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
    "aws:ec2/natGateway:NatGateway": ["ec2:CreateNatGateway", "ec2:DeleteNatGateway"],
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ["ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection", "ec2:DeleteVpcPeeringConnection"],
    "aws:ec2transitgateway/transitGateway:TransitGateway": ["ec2:CreateTransitGateway", "ec2:DeleteTransitGateway", "iam:CreateServiceLinkedRole"],
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": ["ec2:CreateTransitGatewayVpcAttachment", "ec2:DeleteTransitGatewayVpcAttachment"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
    "aws:iam/role:Role": ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:TagRole"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy"],
    "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": ["route53resolver:AssociateResolverRule", "route53resolver:DisassociateResolverRule"],
    "aws:route53/record:Record": ["route53:ChangeResourceRecordSets", "route53:GetChange"],
    "aws:route53/resolverEndpoint:ResolverEndpoint": ["route53resolver:CreateResolverEndpoint", "route53resolver:DeleteResolverEndpoint", "ec2:CreateNetworkInterface"],
    "aws:route53/resolverRule:ResolverRule": ["route53resolver:CreateResolverRule", "route53resolver:DeleteResolverRule", "route53resolver:PutResolverRulePolicy"],
    "aws:route53/zone:Zone": ["route53:CreateHostedZone", "route53:DeleteHostedZone"],
    "aws:route53/zoneAssociation:ZoneAssociation": ["route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone"],
    "aws:ram/resourceShare:ResourceShare": ["ram:CreateResourceShare", "ram:DeleteResourceShare"],
    "aws:ram/principalAssociation:PrincipalAssociation": ["ram:AssociateResourceShare", "ram:DisassociateResourceShare"],
    "aws:ram/resourceAssociation:ResourceAssociation": ["ram:AssociateResourceShare", "ram:DisassociateResourceShare"],
    "aws:ram/resourceShareAccepter:ResourceShareAccepter": ["ram:AcceptResourceShareInvitation", "ram:GetResourceShareInvitations", "ram:DisassociateResourceShare"],
    "aws:s3/bucket:Bucket": ["s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucketTagging"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["s3:PutEncryptionConfiguration"],
    "aws:sagemaker/domain:Domain": ["sagemaker:CreateDomain", "sagemaker:DeleteDomain", "sagemaker:DescribeDomain", "iam:PassRole", "elasticfilesystem:CreateFileSystem"],
    "aws:sagemaker/userProfile:UserProfile": ["sagemaker:CreateUserProfile", "sagemaker:DeleteUserProfile"],
    "aws:apigateway/account:Account": ["apigateway:PATCH", "iam:PassRole"],
    "aws:apigateway/restApi:RestApi": ["apigateway:POST", "apigateway:PUT", "apigateway:DELETE", "apigateway:GET"],
    "aws:apigateway/authorizer:Authorizer": ["apigateway:POST", "apigateway:DELETE"],
    "aws:apigateway/deployment:Deployment": ["apigateway:POST", "apigateway:DELETE"],
    "aws:apigateway/integration:Integration": ["apigateway:PUT", "apigateway:DELETE"],
    "aws:apigateway/method:Method": ["apigateway:PUT", "apigateway:DELETE"],
    "aws:apigateway/methodSettings:MethodSettings": ["apigateway:PATCH"],
    "aws:apigateway/resource:Resource": ["apigateway:POST", "apigateway:DELETE"],
    "aws:apigateway/stage:Stage": ["apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogGroups"],
    "aws:cognito/userPool:UserPool": ["cognito-idp:CreateUserPool", "cognito-idp:DeleteUserPool", "cognito-idp:SetUserPoolMfaConfig"],
    "aws:cognito/userPoolClient:UserPoolClient": ["cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient"],
    "aws:cognito/user:User": ["cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:AdminGetUser"],
    "aws:dynamodb/table:Table": ["dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTable"],
    "aws:dynamodb/tableItem:TableItem": ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:GetItem"],
    "aws:lambda/function:Function": ["lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "iam:PassRole"],
    "aws:lambda/permission:Permission": ["lambda:AddPermission", "lambda:RemovePermission"],
}
NAMED = {  # resource type: the ARN its name (the mock's id) lands in, and an action on it
    "aws:iam/role:Role": ("arn:aws:iam::{account}:role/{id}", ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRole"]),
    "aws:lambda/function:Function": ("arn:aws:lambda:us-east-1:{account}:function:{id}", ["lambda:CreateFunction", "lambda:DeleteFunction"]),
    "aws:dynamodb/table:Table": ("arn:aws:dynamodb:us-east-1:{account}:table/{id}", ["dynamodb:CreateTable", "dynamodb:PutItem", "dynamodb:GetItem"]),
    "aws:cloudwatch/logGroup:LogGroup": ("arn:aws:logs:us-east-1:{account}:log-group:{id}", ["logs:CreateLogGroup", "logs:PutRetentionPolicy"]),
    "aws:s3/bucket:Bucket": ("arn:aws:s3:::{id}", ["s3:CreateBucket", "s3:PutBucketPolicy", "s3:GetBucketPolicy"]),
}


@pytest.fixture(scope="module")
def every_kind_of_stack(tmp_path_factory):
    """Plans that between them build every resource type: the project, the simulator, a LOB outside the organization."""
    outside = tmp_path_factory.mktemp("outside")
    for f in EXAMPLE.glob("Pulumi*.yaml"):
        shutil.copy(f, outside / f.name)
    shared = yaml.safe_load((outside / "Pulumi.shared.yaml").read_text())
    shared["config"]["studio-access:ram"]["allowExternalPrincipals"] = True
    (outside / "Pulumi.shared.yaml").write_text(yaml.safe_dump(shared))
    for lob in ("lob-a", "lob-b"):
        doc = yaml.safe_load((outside / f"Pulumi.{lob}.yaml").read_text())
        doc["config"]["studio-access:lob"].update(acceptRamShare=True, runtimeEndpoint="local")
        (outside / f"Pulumi.{lob}.yaml").write_text(yaml.safe_dump(doc))
    plans = [plan_tool.plan(None, FIXTURES / "onprem"), plan_tool.plan(None, outside)]
    return [(p.loaded.config.role, p) for results in plans for p in results.values()]


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_deploy_role_can_create_and_delete_everything_its_stack_builds(kind, every_kind_of_stack):
    account = ACCOUNTS[kind]
    res = render(_template(kind), _params(kind), account)
    granted = _policy(res, "DeployPolicy") + _policy(res, "ReadPolicy")
    stacks = [p for role, p in every_kind_of_stack if role == kind]
    types = {r.type for p in stacks for r in p.resources if r.custom and not r.type.startswith("pulumi:providers:")}
    unknown = sorted(types - set(TYPE_ACTIONS))
    assert not unknown, f"new resource types: add what they need to bootstrap/{kind}.yaml and to TYPE_ACTIONS: {unknown}"
    missing = sorted({(t, a) for t in types for a in TYPE_ACTIONS[t] if not allows(granted, a)})
    assert not missing
    for p in stacks:
        if p.stack not in ("shared", "lob-a"):
            continue
        for r in p.resources:
            if r.type in NAMED:
                pattern, actions = NAMED[r.type]
                arn = pattern.format(account=account, id=r.id)
                assert all(allows(granted, a, arn) for a in actions), (r.type, arn)
