"""How one resource of a stack names another: by id or ARN in its inputs, or by its dependencies."""

from __future__ import annotations

from collections.abc import Sequence

from ._props import strings
from .model import Resource


def index(resources: Sequence[Resource]) -> dict[str, Resource]:
    """Resources by URN, id and ARN: how other resources' inputs and dependencies name them."""
    found: dict[str, Resource] = {}
    for r in resources:
        for key in (r.urn, r.id, r.props.get("id"), r.props.get("arn")):
            if isinstance(key, str) and key:
                found.setdefault(key, r)
    return found


def referenced(resource: Resource, by_key: dict[str, Resource], prop: str, type_: str) -> list[Resource]:
    """Resources of `type_` that the resource's property `prop` names: by id or ARN, else by that
    property's dependencies, else by any dependency. Most precise first: an ingress rule also
    depends on the group it admits traffic from."""
    values = strings(resource.props.get(prop))
    for keys in (values, resource.property_dependencies.get(prop, ()), resource.dependencies):
        found = {t.urn: t for t in (by_key.get(k) for k in keys) if t is not None and t.type == type_}
        if found:
            return list(found.values())
    return []
