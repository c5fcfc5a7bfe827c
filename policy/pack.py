"""The rules of `rules.py` as pulumi_policy policies (what `__main__.py` puts in the pack).

Importing this module does not start anything; only constructing `PolicyPack` does. It is
imported as `policy.pack` (tests) and as the top-level `pack` when the Pulumi CLI runs the
pack's folder (`pulumi preview --policy-pack policy` puts that folder on `sys.path`).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

try:  # as the package `policy`
    from . import rules
except ImportError:  # as the pack's own folder, run by the CLI
    import rules  # type: ignore[no-redef]

NAME = "studio-access"
_LEVELS = {rules.MANDATORY: EnforcementLevel.MANDATORY, rules.ADVISORY: EnforcementLevel.ADVISORY}


def _resource_validation(rule: rules.Rule):
    check = rule.resource_check

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in check(args.resource_type, args.props):
            report_violation(message, None)

    return validate


def _stack_resource(resource) -> rules.Resource:
    """A pulumi_policy PolicyResource (props are its outputs) as the rules see resources."""
    by_property = {key: tuple(d.urn for d in deps) for key, deps in resource.property_dependencies.items()}
    deps = [d.urn for d in resource.dependencies] + [urn for urns in by_property.values() for urn in urns]
    rid = resource.props.get("id")
    return rules.Resource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=resource.props,
        id=rid if isinstance(rid, str) and rid else None,
        dependencies=tuple(dict.fromkeys(deps)),
        property_dependencies=by_property,
    )


def _stack_validation(rule: rules.Rule):
    check = rule.stack_check

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [_stack_resource(r) for r in args.resources]
        for resource, message in check(resources):
            report_violation(f"{resource.name}: {message}", resource.urn)

    return validate


def policies() -> list[Policy]:
    """One pulumi_policy policy per rule, with the rule's enforcement level."""
    built: list[Policy] = []
    for rule in rules.RULES:
        common = dict(name=rule.name, description=rule.description, enforcement_level=_LEVELS[rule.enforcement])
        if rule.resource_check is not None:
            built.append(ResourceValidationPolicy(validate=_resource_validation(rule), **common))
        else:
            built.append(StackValidationPolicy(validate=_stack_validation(rule), **common))
    return built
