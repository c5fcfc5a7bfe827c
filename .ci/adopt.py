"""CI: adopt the project as a new team would, then require `make plan` and the tests to stay green.

In a copy of the committed tree: every account id in every stack file (the project's and
`examples/*/`) is replaced, the organization in `sharedStack` becomes a Pulumi Cloud org, and a
LOB is added by the rollout guide's recipe (a new `Pulumi.<lob>.yaml` and an entry in the shared
stack's `studio-access:lobs`). The plan must show the new LOB and every test must still pass:
tests own their inputs and never assert on the user's stack files.

    .venv/bin/python .ci/adopt.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ORG = "adopting-team"


def copy_tree(target: Path) -> None:
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    )
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    (target / ".venv").symlink_to(ROOT / ".venv")


def user_stack_files(project: Path) -> list[Path]:
    """The user's stack files: the project's and `examples/*/` (never the tests' own fixtures)."""
    return sorted(project.glob("Pulumi.*.yaml")) + sorted(project.glob("examples/*/Pulumi.*.yaml"))


def new_accounts(project: Path) -> None:
    """Every 12-digit account id of every stack file replaced, consistently across files."""
    found = sorted({a for f in user_stack_files(project) for a in re.findall(r'"(\d{12})"', f.read_text())})
    mapping = {old: f"{700000000000 + 1111 * (i + 1)}" for i, old in enumerate(found)}
    for f in user_stack_files(project):
        text = re.sub(r'"(\d{12})"', lambda m: f'"{mapping[m.group(1)]}"', f.read_text())
        text = re.sub(r"(arn:aws:[a-z]+::)(\d{12})", lambda m: m.group(1) + mapping.get(m.group(2), m.group(2)), text)
        f.write_text(re.sub(r"sharedStack: [^/\s]+/", f"sharedStack: {ORG}/", text))


def add_lob(project: Path) -> str:
    """The recipe: copy a LOB stack file, give it its own name, account and CIDRs, list it in shared."""
    shared_file = project / "Pulumi.shared.yaml"
    shared = yaml.safe_load(shared_file.read_text())["config"]
    template = next(p for p in sorted(project.glob("Pulumi.*.yaml")) if "role: lob" in p.read_text())
    taken = {
        int(c.split(".")[1])
        for c in re.findall(r"10\.\d+\.0\.0/16", " ".join(p.read_text() for p in project.glob("Pulumi.*.yaml")))
    }
    octet = next(n for n in range(200, 250) if n not in taken)
    name, account = "adopted-lob", "799999999999"
    doc = yaml.safe_load(template.read_text())
    doc["config"]["studio-access:aws"]["accountId"] = account
    doc["config"]["studio-access:lob"].update(
        name=name,
        vpcCidr=f"10.{octet}.0.0/16",
        privateSubnets=[f"10.{octet}.10.0/24", f"10.{octet}.11.0/24"],
        attachmentSubnets=[f"10.{octet}.20.0/24", f"10.{octet}.21.0/24"],
        domainName=f"sagemaker-domain-{name}",
        userProfiles=[],
    )
    (project / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    text = shared_file.read_text()
    entry = f'    - name: {name}\n      accountId: "{account}"\n'
    last = shared["studio-access:lobs"][-1]
    anchor = f'      accountId: "{last["accountId"]}"\n'
    assert anchor in text, "the shared stack's lobs list is not in the expected block style"
    shared_file.write_text(text.replace(anchor, anchor + entry, 1))
    return account


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="adopt-") as tmp:
        project = Path(tmp)
        copy_tree(project)
        new_accounts(project)
        account = add_lob(project)
        python = str(project / ".venv" / "bin" / "python")
        plan = subprocess.run(
            [python, "-m", "tools.plan", "--json", "plan.json", "--quiet"], cwd=project, text=True, capture_output=True
        )
        print(plan.stdout[-2000:], plan.stderr[-2000:], sep="\n")
        if plan.returncode != 0:
            print("adoption check: make plan fails after adopting the project", file=sys.stderr)
            return 1
        planned = (project / "plan.json").read_text()
        if f'"principal": "{account}"' not in planned or "adopted-lob" not in planned:
            print("adoption check: the added LOB is missing from the plan", file=sys.stderr)
            return 1
        tests = subprocess.run([python, "-m", "pytest", "-q", "-x"], cwd=project)
        if tests.returncode != 0:
            print("adoption check: the tests fail after adopting the project", file=sys.stderr)
            return 1
    print("adoption check: new accounts, organization and LOB: plan and tests green")
    return 0


if __name__ == "__main__":
    sys.exit(main())
