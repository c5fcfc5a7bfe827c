"""The rules of the registry (`rules.RULES`) as pulumi_policy policies (what `__main__.py` puts in the pack).

Importing this module does not start anything; only constructing `PolicyPack` does. It is
always imported as `policy.pack`: by the tests, and by `__main__.py` when the Pulumi CLI runs the
pack's folder (which first puts the project root on `sys.path`).
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
)

from . import rules
from .model import ADVISORY, MANDATORY, Resource, ResourceCheck, StackCheck

NAME: Final = "studio-access"
_LEVELS: Final = {MANDATORY: EnforcementLevel.MANDATORY, ADVISORY: EnforcementLevel.ADVISORY}


def _resource_validation(check: ResourceCheck) -> ResourceValidation:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in check(args.resource_type, args.props):
            report_violation(message, None)

    return validate


def _stack_resource(resource: PolicyResource) -> Resource:
    """A pulumi_policy PolicyResource (props are its outputs) as the rules see resources."""
    by_property = {key: tuple(d.urn for d in deps) for key, deps in resource.property_dependencies.items()}
    deps = [d.urn for d in resource.dependencies] + [urn for urns in by_property.values() for urn in urns]
    rid = resource.props.get("id")
    return Resource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=resource.props,
        id=rid if isinstance(rid, str) and rid else None,
        dependencies=tuple(dict.fromkeys(deps)),
        property_dependencies=by_property,
    )


def _stack_validation(check: StackCheck) -> StackValidation:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [_stack_resource(r) for r in args.resources]
        for resource, message in check(resources):
            report_violation(f"{resource.name}: {message}", resource.urn)

    return validate


def policies() -> list[Policy]:
    """One pulumi_policy policy per rule, with the rule's enforcement level."""
    built: list[Policy] = []
    for rule in rules.RULES:
        level = _LEVELS[rule.enforcement]
        if rule.resource_check is not None:
            validate = _resource_validation(rule.resource_check)
            built.append(ResourceValidationPolicy(rule.name, rule.description, validate, enforcement_level=level))
        elif rule.stack_check is not None:
            built.append(
                StackValidationPolicy(
                    rule.name, rule.description, _stack_validation(rule.stack_check), enforcement_level=level
                )
            )
    return built
