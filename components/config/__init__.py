"""Stack configuration: typed, validated once at start, with errors that name file, key and problem.

Every stack of the project is one `Pulumi.<stack>.yaml`. Keys live in the `studio-access:`
namespace; `studio-access:role` says which part of the system the stack builds:

* `shared` (the shared-services account): network hub and access proxy (`shared.py`);
* `lob` (one line-of-business account each): the VPC-only SageMaker Studio domain (`lob.py`).

The package, by job: value types (`types.py`), the base model and shared pieces (`base.py`), the
two stacks' models, config sources and file checks (`sources.py`), problems and their wording
(`problems.py`), validation of one stack (`validation.py`), rules across stacks (`rules.py`) and
the loader (`loader.py`). The models forbid unknown keys (a typo is an error, never a silently
ignored setting); a bad value stops the program with nothing created.

Only `components/stacks.py` turns these models into the components' Args: components never see them.
"""

from .base import LOG_RETENTION_DAYS, AwsTarget, Model, VpcLayout, Zoned
from .loader import LoadedStack, load
from .lob import LobConfig, LobStackConfig
from .problems import NAMESPACE, PROJECT, ConfigError, Problem
from .rules import SHARED_INVALID, RoutedRange, check_lob, load_stack_file_config, overlap_problems, routed_ranges
from .shared import (
    AccessConfig,
    ApiConfig,
    HubConfig,
    IdentityConfig,
    LobEntry,
    OnPremConfig,
    RamConfig,
    SharedStackConfig,
    UserEntry,
)
from .sources import (
    SECRET_KEYS,
    check_stack_file_settings,
    decode_runtime_value,
    project_values,
    read_stack_file,
    stack_file,
)
from .validation import StackConfig, check_foreign_keys, validate_values

__all__ = [
    "LOG_RETENTION_DAYS",
    "NAMESPACE",
    "PROJECT",
    "SECRET_KEYS",
    "SHARED_INVALID",
    "AccessConfig",
    "ApiConfig",
    "AwsTarget",
    "ConfigError",
    "HubConfig",
    "IdentityConfig",
    "LoadedStack",
    "LobConfig",
    "LobEntry",
    "LobStackConfig",
    "Model",
    "OnPremConfig",
    "Problem",
    "RamConfig",
    "RoutedRange",
    "SharedStackConfig",
    "StackConfig",
    "UserEntry",
    "VpcLayout",
    "Zoned",
    "check_foreign_keys",
    "check_lob",
    "check_stack_file_settings",
    "decode_runtime_value",
    "load",
    "load_stack_file_config",
    "overlap_problems",
    "project_values",
    "read_stack_file",
    "routed_ranges",
    "stack_file",
    "validate_values",
]
