"""Running Pulumi code under mocks, in process: every use of the SDK's private internals is here.

The public way to test a Pulumi program, `pulumi.runtime.set_mocks`, runs one program per
process and hands back no record of what was registered. The plan runs one program per stack, one
after the other, and needs every resource's inputs. So this module, and no other, reaches into
the SDK:

- `set_mocks(..., monitor=...)` with a `MockMonitor` subclass that keeps each registration (the
  monitor's `resources` table, `rpc.deserialize_properties`), also for unit tests of one
  component (`install_mocks`);
- how the engine marks a secret input (`rpc._special_sig_key`, `secret_value`);
- `SETTINGS`: `root_directory` (what `pulumi.get_root_directory()` returns), and `outputs` and
  `lock`, whose defaults are shared by every context: reset, so that a run that failed leaves
  no pending tasks to the next;
- `set_all_config`, `get_root_resource`, `run_pulumi_func` and `_sync_await`, to run the code as
  the language host would, in a fresh `contextvars` context and event loop, and to read the root
  stack's outputs synchronously.

It was written for the SDK versions in WRITTEN_FOR; `tests/test_tools_harness.py` fails when
requirements.txt pins others. After an upgrade, re-check each use above against the new SDK
(the tests of the plan exercise them all), then update WRITTEN_FOR.
"""

from __future__ import annotations

import asyncio
import contextvars
import runpy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockMonitor, set_mocks
from pulumi.runtime.settings import SETTINGS, get_root_resource
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

# The distributions (as in requirements.txt) whose internals this module was written against.
WRITTEN_FOR = {"pulumi": "3.272.0", "pulumi-aws": "7.51.1"}


@dataclass
class Registration:
    """One resource as the engine received it."""

    type: str
    name: str
    urn: str
    parent: str
    provider: str
    custom: bool
    id: str
    dependencies: list[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any]


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps, per resource, what `pulumi preview` would show."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call, unused-ignore]
        if request.type != "pulumi:pulumi:Stack":
            entry = self.resources[response.urn]
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    provider=request.provider,
                    custom=bool(request.custom),
                    id=entry.id,
                    dependencies=sorted(request.dependencies),
                    inputs=rpc.deserialize_properties(request.object),
                    outputs=entry.state,
                )
            )
        return response


@dataclass
class Run:
    """What a run registered (sorted by URN) and the root stack's outputs, resolved."""

    registrations: list[Registration]
    outputs: dict[str, Any]


def install_mocks(
    mocks: pulumi.runtime.Mocks, *, project: str, stack: str, organization: str | None = None
) -> RecordingMonitor:
    """`mocks` for the code that runs next in this context (e.g. `@pulumi.runtime.test` functions).

    For unit tests of one component: the returned monitor's `registrations` are what the engine
    received, in registration order.
    """
    monitor = RecordingMonitor(mocks)
    set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor, organization=organization)
    return monitor


def secret_value(value: Any) -> Any:
    """The plain value of an input the engine received as a secret; ValueError if it was not one."""
    if not (isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig):
        raise ValueError(f"not a secret: {value!r}")
    return value["value"]


def resolve(value: Any) -> Any:
    """The value of an output (or of anything `Output.from_input` takes), inside a run's body."""
    return _sync_await(pulumi.Output.from_input(value).future())


def run(
    body: Callable[[], object],
    mocks: pulumi.runtime.Mocks,
    *,
    project: str,
    stack: str,
    organization: str,
    root_directory: Path,
    config: Mapping[str, str] | None = None,
    secrets: Sequence[str] = (),
) -> Run:
    """Call `body` as a Pulumi program under `mocks`, in a fresh context; the body's error is raised.

    `config` is what the CLI hands a program (`namespace:key` -> text, objects as JSON), with
    `secrets` the keys that are secret.
    """
    args = (body, mocks, project, stack, organization, root_directory, dict(config or {}), list(secrets))
    return contextvars.Context().run(_run, *args)


def run_program(program: Path, mocks: pulumi.runtime.Mocks, **kwargs: Any) -> Run:
    """Run a program file (as `pulumi up` runs `__main__.py`) under `mocks`; see `run`."""
    return run(lambda: runpy.run_path(str(program), run_name="__main__"), mocks, **kwargs)


def _run(
    body: Callable[[], object],
    mocks: pulumi.runtime.Mocks,
    project: str,
    stack: str,
    organization: str,
    root_directory: Path,
    config: dict[str, str],
    secrets: list[str],
) -> Run:
    asyncio.set_event_loop(asyncio.new_event_loop())
    monitor = install_mocks(mocks, project=project, stack=stack, organization=organization)
    SETTINGS.root_directory = str(root_directory)
    SETTINGS.outputs = set()
    SETTINGS.lock = threading.Lock()
    set_all_config(config, secrets)
    root = get_root_resource()
    assert isinstance(root, Stack), "set_mocks creates the root stack"
    outputs: dict[str, Any] = {}

    def program() -> None:
        body()
        outputs.update(resolve(root.outputs))

    _sync_await(run_pulumi_func(program))
    # Registration order depends on the event loop; sorted, two runs compare equal.
    return Run(sorted(monitor.registrations, key=lambda r: r.urn), outputs)
