"""Unit tests of one component at a time: literal Args, Pulumi mocks, nothing of the config layer.

`graph` (a fixture) installs the mocks before a test builds its component and records what the
engine receives. Two ways to assert, both through `@pulumi.runtime.test`:

* on the component's own outputs: return `pulumi.Output.all(...).apply(check)` from the test;
* on every registered resource (rules and other children the component does not keep): build
  with `graph.build(lambda: Component(...))`, which runs the program as a `@pulumi.runtime.test`
  returning the component's URN, waits until every registration is done, and then assert on
  `graph.one(...)`, `graph.of_type(...)`.

The mocks are the offline plan's (`tools.mocks.PlanMocks`): ids and ARNs shaped like AWS's, in
`ACCOUNT` and `REGION`, and the computed attributes the components read; they are installed with
`tools.harness.install_mocks`, the one place that touches the SDK's internals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import pulumi
import pytest

from tools.harness import RecordingMonitor, Registration, install_mocks
from tools.harness import secret_value as secret_value
from tools.mocks import PlanMocks

ACCOUNT = "111111111111"
REGION = "us-east-1"
STACK = "unit"
PROJECT = "studio-access"

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"

C = TypeVar("C", bound=pulumi.Resource)


class Graph:
    """The resources the engine received, in registration order."""

    def __init__(self, monitor: RecordingMonitor):
        self._monitor = monitor

    @property
    def resources(self) -> list[Registration]:
        return list(self._monitor.registrations)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str) -> Registration:
        found = [r for r in self.resources if r.type == type_ and r.name == name]
        assert len(found) == 1, f"{type_} {name}: {len(found)} found"
        return found[0]

    def by_id(self, id_: str) -> Registration:
        (found,) = [r for r in self.resources if r.custom and r.id == id_]
        return found

    def rules(self, type_: str, group: Registration) -> list[dict[str, Any]]:
        """The inputs of the ingress or egress rules of one security group."""
        return [r.inputs for r in self.of_type(type_) if r.inputs["securityGroupId"] == group.id]

    def build(self, make: Callable[[], C]) -> C:
        """Run `make` as the program; return what it made once every resource is registered."""
        made: list[C] = []

        @pulumi.runtime.test
        def program() -> pulumi.Output[str]:
            made.append(make())
            return made[0].urn

        program()
        return made[0]


def new_graph() -> Graph:
    """Fresh mocks (set before anything is constructed) and an empty record."""
    mocks = PlanMocks(stack=STACK, account_id=ACCOUNT, region=REGION)
    return Graph(install_mocks(mocks, project=PROJECT, stack=STACK))


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Graph:
    # Lambda packages from the sources alone: no dependency download in unit tests.
    monkeypatch.setenv("STUDIO_ACCESS_PACKAGE_DEPS", "0")
    return new_graph()


class Parent(pulumi.ComponentResource):
    """Stands in for the AccessProxy: its parts create their resources under a given parent."""

    TYPE = "test:index:Parent"

    def __init__(self, make: Callable[[pulumi.Resource], Any]) -> None:
        super().__init__(self.TYPE, "parent")
        self.part = make(self)
        self.register_outputs({})


def statements(document: str) -> list[dict[str, Any]]:
    """The statements of a JSON policy document."""
    found: list[dict[str, Any]] = json.loads(document)["Statement"]
    return found


def by_sid(document: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(document)}
