"""Not tests: what the tests of `tools/` share (a fake deploy backend, stack file edits).

The Automation API needs the `pulumi` CLI, which the tests do without: the deploy's seam is a
`Backend` (select a stack -> up/preview/destroy/outputs), faked here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pulumi import automation as auto

from components import outputs
from tests.conftest import Project
from tools.deploy.backend import StackMissing
from tools.deploy.runner import Printer

ORG = "organization"


def fqn(stack: str) -> str:
    return f"{ORG}/studio-access/{stack}"


ALL = [fqn("shared"), fqn("lob-a"), fqn("lob-b")]

SHARED_OUTPUTS = {
    **{name: f"value-of-{name}" for name in outputs.READ_BY_LOB},
    outputs.API_URL: "https://abc123.execute-api.us-east-1.amazonaws.com/dev",
    outputs.REGION: "us-east-1",
    outputs.IDENTITY_PROVIDER: "cognito",
    outputs.TOKEN_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool",
    outputs.USER_POOL_ID: "us-east-1_Pool",
    outputs.USER_POOL_CLIENT_ID: "client123",
}
LOB_OUTPUTS = {
    outputs.DOMAIN_ID: "d-abc",
    outputs.USER_PROFILE_NAMES: ["user-lob-a"],
    outputs.ACCESS_ROLE_ARN: "arn:aws:iam::222222222222:role/SagemakerStudioAccessRole",
}


class FakeStack:
    def __init__(self, backend: FakeBackend, name: str):
        self.backend, self.name = backend, name

    def _op(self, action: str, kwargs: dict[str, Any]) -> Any:
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

    def up(self, **kwargs: Any) -> Any:
        return self._op("up", kwargs)

    def preview(self, **kwargs: Any) -> Any:
        return self._op("preview", kwargs)

    def destroy(self, **kwargs: Any) -> Any:
        return self._op("destroy", kwargs)

    def outputs(self) -> dict[str, auto.OutputValue]:
        return {k: auto.OutputValue(v, secret=False) for k, v in self.backend.deployed.get(self.name, {}).items()}


class FakeBackend:
    """Stacks that exist (`existing`), what `up` makes them export (`produces`), hooks per stack."""

    def __init__(self, existing=(), deployed=None, produces=None, hooks=None):
        self.existing = set(existing)
        self.deployed = dict(deployed or {})
        self.produces = produces or {
            fqn("shared"): SHARED_OUTPUTS,
            fqn("lob-a"): LOB_OUTPUTS,
            fqn("lob-b"): LOB_OUTPUTS,
        }
        self.hooks: dict[str, Callable[[], Any]] = hooks or {}
        self.selects: list[tuple[str, bool]] = []
        self.envs: dict[str, dict[str, str] | None] = {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.events: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def select(self, name: str, *, create: bool, env=None) -> FakeStack:
        self.selects.append((name, create))
        self.envs[name] = env
        if name not in self.existing and name not in self.deployed:
            if not create:
                raise StackMissing(name)
            self.existing.add(name)
        return FakeStack(self, name)

    def started(self, action: str) -> list[str]:
        return [name for kind, a, name in self.events if kind == "start" and a == action]

    def index(self, kind: str, action: str, name: str) -> int:
        return self.events.index((kind, action, name))


def quiet() -> Printer:
    return Printer(lambda line: None)


def concurrent(*names: str) -> dict[str, Callable[[], Any]]:
    """Hooks that make the named stacks wait for each other: they pass only if run at once."""
    barrier = threading.Barrier(len(names), timeout=10)
    return {fqn(n): barrier.wait for n in names}


def add_lob(project: Project, name: str, account: str, second_octet: int, shared: str = "shared") -> None:
    """A LOB stack file (a copy of lob-b's) and its entry in the shared stack's `lobs`."""
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
