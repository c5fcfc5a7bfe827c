"""What the doctor reports: one `Link` per link of the chain, ok, broken or not checked.

A link names the stack and account it belongs to, the resource, what was found (`detail`) and,
when broken, what to do (`fix`: which account, which resource, what command or change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"
    BROKEN = "broken"
    UNCHECKED = "unchecked"  # could not check (no credentials, access denied, an output missing)

    @property
    def label(self) -> str:
        """How the text report shows it."""
        return "could not check" if self is Status.UNCHECKED else self.value


@dataclass(frozen=True)
class Link:
    stack: str
    account: str
    link: str  # which link of the chain, e.g. "resolver rule association sts"
    resource: str  # the resource's id or name, e.g. "rslvr-rr-0123 in vpc-0456"
    status: Status
    detail: str  # what was found; for UNCHECKED, why it could not be checked
    fix: str = ""  # for BROKEN: where and what to do

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


@dataclass(frozen=True)
class Where:
    """The stack and account a group of links belongs to."""

    stack: str
    account: str
    fqn: str  # the stack's fully qualified name, for the fix commands

    def ok(self, link: str, resource: str, detail: str, *, account: str | None = None) -> Link:
        return Link(self.stack, account or self.account, link, resource, Status.OK, detail)

    def broken(self, link: str, resource: str, detail: str, fix: str, *, account: str | None = None) -> Link:
        """`account`: where the broken resource is, when not in this stack's account."""
        return Link(self.stack, account or self.account, link, resource, Status.BROKEN, detail, fix)

    def unchecked(self, link: str, resource: str, why: str, *, account: str | None = None) -> Link:
        return Link(self.stack, account or self.account, link, resource, Status.UNCHECKED, why)

    def drifted(self, link: str, resource: str, detail: str, what: str) -> Link:
        """Broken, with the usual fix (`redeploy`): `what` is wrong."""
        return self.broken(link, resource, detail, self.redeploy(what))

    def redeploy(self, what: str) -> str:
        """The usual fix: Pulumi notices the drift on refresh and puts the resource back on up."""
        return redeploy(self.account, self.stack, self.fqn, what)


def redeploy(account: str, stack: str, fqn: str, what: str) -> str:
    """`what` is wrong in `account`, which `stack` manages: refresh (Pulumi sees the drift), then up."""
    return (
        f"in account {account}: {what}; stack {stack} puts it back: "
        f'pulumi refresh --yes --stack {fqn}, then make deploy ARGS="up --stack {stack}"'
    )


class Unreadable(Exception):
    """A fact that could not be read (access denied, no credentials, a throttled API): the links
    that need it are reported as not checked, with this reason."""


def judged(links: Sequence[Link]) -> dict[str, int]:
    """{status: count} over every status."""
    return {s.value: sum(1 for link in links if link.status is s) for s in Status}
