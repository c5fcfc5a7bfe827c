"""Rules that span stacks: CIDRs the Transit Gateway routes must not overlap, a LOB stack must agree
with the shared stack it names, users need a profile and a first password.

They read the sibling stack files of the same project, before any resource is registered.
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import PROJECT_DIR
from .lob import LobStackConfig
from .problems import NAMESPACE, ConfigError, Problem
from .shared import LobEntry, SharedStackConfig
from .sources import plain_values, project_values, read_stack_file, stack_file
from .types import network
from .validation import StackConfig, validate_values

# The effect a LOB stack reports when its shared stack file is invalid (after the causes).
SHARED_INVALID = "is invalid (its problems are listed above); this stack is checked once it is fixed"


@dataclass(frozen=True)
class RoutedRange:
    """A CIDR the Transit Gateway routes to, and where it is configured."""

    label: str
    cidr: ipaddress.IPv4Network
    file: str
    key: str


def load_stack_file_config(stack: str, project_dir: Path = PROJECT_DIR) -> StackConfig:
    path = stack_file(stack, project_dir)
    if not path.exists():
        raise ConfigError([Problem(path.name, "(file)", "not found")])
    return validate_values(project_values(plain_values(read_stack_file(path))), path.name)


def _lob_stack_values(entry: LobEntry, project_dir: Path) -> dict[str, Any] | None:
    """The raw `studio-access:lob` map of a LOB's stack file, if the project has that file."""
    path = stack_file(entry.stack_name, project_dir)
    if not path.exists():
        return None
    raw = project_values(read_stack_file(path)).get("lob")
    return raw if isinstance(raw, dict) else {}


def user_problems(cfg: SharedStackConfig, file: str, secrets: set[str], project_dir: Path) -> list[Problem]:
    """Users need a profile in the domain of each LOB they are entitled to (their own LOB, their
    Cognito groups'), unless that LOB makes profiles just in time, and, with Cognito, an email for
    their own first password."""
    problems: list[Problem] = []
    for index, user in enumerate(cfg.users):
        key = f"{NAMESPACE}users[{index}]"
        for lob, why in cfg.entitled_lobs(user).items():
            entry = cfg.lob(lob)
            raw = _lob_stack_values(entry, project_dir) if entry else None
            profiles = raw.get("userProfiles") if raw else None
            if not entry or not isinstance(profiles, list) or user.profile_name in profiles:
                continue
            if raw and raw.get("justInTimeProfiles") is True:
                continue
            problems.append(
                Problem(
                    file,
                    f"{key}.profile" if user.profile else f"{key}.username",
                    f"profile {user.profile_name} ({why}) is not in {NAMESPACE}lob.userProfiles of "
                    f"{stack_file(entry.stack_name, project_dir).name} ({', '.join(profiles) or 'none'}), "
                    "which does not set justInTimeProfiles",
                )
            )
        if cfg.identity.provider == "cognito" and not user.email:
            problems.append(
                Problem(
                    file,
                    f"{key}.email",
                    f"required with provider cognito: Cognito mails {user.username} their own temporary password "
                    "(there is no shared one); add their email",
                )
            )
    return problems


def _lob_cidr(
    entry: LobEntry, index: int, shared_file: str, project_dir: Path
) -> tuple[RoutedRange | None, list[Problem]]:
    """A LOB's VPC CIDR: from its entry in the shared stack or its own stack file."""
    key = f"{NAMESPACE}lobs[{index}]"
    path = stack_file(entry.stack_name, project_dir)
    raw = _lob_stack_values(entry, project_dir)
    from_file = None
    if raw is not None:
        try:
            from_file = network(raw.get("vpcCidr"))
        except ValueError:
            from_file = None  # that stack's own validation names the problem
    if entry.vpc_cidr and from_file and entry.vpc_cidr != from_file:
        return None, [
            Problem(
                shared_file,
                f"{key}.vpcCidr",
                f"{entry.vpc_cidr} differs from {NAMESPACE}lob.vpcCidr {from_file} in {path.name}",
            )
        ]
    if entry.vpc_cidr:
        return RoutedRange(f"LOB {entry.name}", entry.vpc_cidr, shared_file, f"{key}.vpcCidr"), []
    if from_file:
        return RoutedRange(f"LOB {entry.name}", from_file, path.name, f"{NAMESPACE}lob.vpcCidr"), []
    return None, [
        Problem(
            shared_file,
            key,
            f"no vpcCidr for LOB {entry.name}: set it here or add a valid {path.name}",
        )
    ]


def routed_ranges(
    shared: SharedStackConfig, shared_file: str, project_dir: Path = PROJECT_DIR
) -> tuple[list[RoutedRange], list[Problem]]:
    ranges = [
        RoutedRange("central VPC", shared.hub.vpc_cidr, shared_file, f"{NAMESPACE}hub.vpcCidr"),
        RoutedRange("access VPC", shared.access.vpc_cidr, shared_file, f"{NAMESPACE}access.vpcCidr"),
    ]
    ranges += [
        RoutedRange(f"on-premises {cidr}", cidr, shared_file, f"{NAMESPACE}hub.onPremCidrs[{i}]")
        for i, cidr in enumerate(shared.hub.on_prem_cidrs)
    ]
    problems: list[Problem] = []
    for index, entry in enumerate(shared.lobs):
        found, errs = _lob_cidr(entry, index, shared_file, project_dir)
        problems += errs
        if found:
            ranges.append(found)
    return ranges, problems


def overlap_problems(ranges: list[RoutedRange]) -> list[Problem]:
    return [
        Problem(
            a.file,
            a.key,
            f"{a.label} {a.cidr} overlaps {b.label} {b.cidr} ({b.file}: {b.key}); "
            "the Transit Gateway routes between them, so they must not overlap",
        )
        for a, b in itertools.combinations(ranges, 2)
        if a.cidr.overlaps(b.cidr)
    ]


def check_lob(
    stack: str, cfg: LobStackConfig, file: str, project_dir: Path = PROJECT_DIR
) -> tuple[SharedStackConfig | None, list[Problem]]:
    """A LOB stack against the shared stack it names. Returns the shared config too."""
    lob = cfg.lob
    key = f"{NAMESPACE}lob"
    shared_path = stack_file(lob.shared_stack_name, project_dir)
    if not shared_path.exists():
        return None, [
            Problem(file, f"{key}.sharedStack", f"{lob.shared_stack}: {shared_path.name} not found in the project")
        ]
    try:
        shared = load_stack_file_config(lob.shared_stack_name, project_dir)
    except ConfigError as exc:
        # The causes first, then what they stop.
        return None, [*exc.problems, Problem(file, f"{key}.sharedStack", f"{shared_path.name} {SHARED_INVALID}")]
    if not isinstance(shared, SharedStackConfig):
        return None, [Problem(file, f"{key}.sharedStack", f"{shared_path.name} is not a shared stack")]
    entry = shared.lob(lob.name)
    if entry is None:
        known = ", ".join(e.name for e in shared.lobs)
        return shared, [
            Problem(
                file,
                f"{key}.name",
                f"LOB {lob.name!r} is not listed in {shared_path.name} {NAMESPACE}lobs (known: {known})",
            )
        ]
    problems: list[Problem] = []
    if entry.stack_name != stack:
        problems.append(
            Problem(
                file, f"{key}.name", f"{shared_path.name} maps LOB {lob.name} to stack {entry.stack_name}, not {stack}"
            )
        )
    if entry.account_id != cfg.aws.account_id:
        problems.append(
            Problem(
                file,
                f"{NAMESPACE}aws.accountId",
                f"{cfg.aws.account_id} differs from {entry.account_id}, the account {shared_path.name} lists for LOB {lob.name}",
            )
        )
    if shared.aws.region != cfg.aws.region:
        problems.append(
            Problem(
                file,
                f"{NAMESPACE}aws.region",
                f"{cfg.aws.region} differs from the shared stack's {shared.aws.region}; "
                "a Transit Gateway attaches VPCs of its own region only",
            )
        )
    if lob.accept_ram_share and shared.ram.organization_arn:
        problems.append(
            Problem(
                file,
                f"{key}.acceptRamShare",
                "must be false: the shared stack shares with an organization, which sends no invitation",
            )
        )
    if lob.accept_ram_share and not shared.ram.allow_external_principals:
        problems.append(
            Problem(
                file,
                f"{key}.acceptRamShare",
                f"an account outside the organization needs {NAMESPACE}ram.allowExternalPrincipals: true in {shared_path.name}",
            )
        )
    ranges, _ = routed_ranges(shared, shared_path.name, project_dir)
    ours = RoutedRange(f"LOB {lob.name}", lob.vpc_cidr, file, f"{key}.vpcCidr")
    others = [r for r in ranges if r.label != ours.label]
    problems += [
        Problem(file, ours.key, msg)
        for _, _, msg in overlap_problems([ours, *others])
        if msg.startswith(ours.label + " ")
    ]
    return shared, problems
