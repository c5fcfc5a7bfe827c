"""The doctor's world: the test project (the example organization, with lob-a outside the
organization so that it accepts a RAM invitation), its offline plan, a moto server, and a
deployed system built in it from the plan (`world.build`), fresh for every test."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import Project
from tools.doctor import cli

from .fakes import Fakes
from .world import DOCTOR_ROLE, REGION, World, build

ACCOUNTS = {"shared": "111111111111", "lob-a": "222222222222", "lob-b": "333333333333"}


@pytest.fixture(scope="session")
def doctor_project(tmp_path_factory) -> Project:
    project = Project(tmp_path_factory.mktemp("doctor-project"))
    project.edit("shared", lambda c: c["studio-access:ram"].update(allowExternalPrincipals=True))
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(acceptRamShare=True))
    return project


@pytest.fixture(scope="session")
def doctor_plans(doctor_project) -> dict[str, dict[str, Any]]:
    return cli.offline_plan(list(ACCOUNTS), doctor_project.path)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield "http://{}:{}".format(*server.get_host_and_port())
    finally:
        server.stop()


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.out)

    @property
    def links(self) -> list[dict[str, Any]]:
        return self.report["links"]

    def broken(self) -> list[dict[str, Any]]:
        return [link for link in self.links if link["status"] == "broken"]

    def not_ok(self) -> list[dict[str, Any]]:
        return [link for link in self.links if link["status"] != "ok"]


@dataclass
class Doctor:
    world: World
    fakes: Fakes
    project: Project
    plans: dict[str, dict[str, Any]]
    tmp: Path

    def outputs_args(self) -> list[str]:
        args = []
        for stack, values in self.world.outputs.items():
            path = self.tmp / f"{stack}.json"
            path.write_text(json.dumps(values))
            args += ["--outputs", f"{stack}={path}"]
        return args

    def role_args(self) -> list[str]:
        return [
            a for s, acct in ACCOUNTS.items() for a in ("--role-arn", f"{s}=arn:aws:iam::{acct}:role/{DOCTOR_ROLE}")
        ]

    def run(
        self, *argv: str, json_out: bool = True, with_outputs: bool = True, with_roles: bool = True, **kw: Any
    ) -> Result:
        args = [*(self.outputs_args() if with_outputs else []), *(self.role_args() if with_roles else []), *argv]
        if json_out:
            args.append("--json")
        out, err = io.StringIO(), io.StringIO()
        kw.setdefault("planner", lambda stacks, project_dir: {s: self.plans[s] for s in stacks})
        with self.fakes.installed(), redirect_stdout(out), redirect_stderr(err):
            code = cli.main(args, project_dir=self.project.path, **kw)
        return Result(code, out.getvalue(), err.getvalue())


def deploy(
    endpoint: str, project: Project, plans: dict[str, dict[str, Any]], tmp: Path, mp: pytest.MonkeyPatch
) -> Doctor:
    """A fresh moto, the doctor's environment pointed at it, and the plan deployed in it."""
    urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).read()
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_STS"):
        mp.delenv(key, raising=False)
    mp.setenv("AWS_CONFIG_FILE", str(tmp / "no-aws-config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-aws-credentials"))
    mp.setenv("AWS_ENDPOINT_URL", endpoint)
    mp.setenv("AWS_ACCESS_KEY_ID", "AKIADOCTORBASE000001")  # moto's default account assumes the roles
    mp.setenv("AWS_SECRET_ACCESS_KEY", "doctor")
    mp.setenv("AWS_DEFAULT_REGION", REGION)
    mp.setenv("NO_PROXY", "127.0.0.1,localhost")
    mp.setenv("no_proxy", "127.0.0.1,localhost")
    mp.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # the doctor reads no AMI; loading them costs seconds per account
    world = build(endpoint, plans, dict(ACCOUNTS))
    return Doctor(world, Fakes(world), project, plans, tmp)


@pytest.fixture(scope="module")
def deployed(moto_endpoint, doctor_project, doctor_plans, tmp_path_factory) -> Iterator[Doctor]:
    """A deployment for the whole module: a module that plants breaks owns its world."""
    mp = pytest.MonkeyPatch()
    try:
        yield deploy(moto_endpoint, doctor_project, doctor_plans, tmp_path_factory.mktemp("doctor"), mp)
    finally:
        mp.undo()
