"""Where the config file and the token cache live, per platform (no third-party dependency)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

APP = "studio-access"
CONFIG_FILE = "config.json"


def user_config_dir(env: Mapping[str, str], platform: str, home: Path) -> Path:
    """XDG on Linux and other Unixes, Application Support on macOS, %APPDATA% on Windows."""
    if platform.startswith("win"):
        base = env.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(base) / APP
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP
    return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / APP


def user_cache_dir(env: Mapping[str, str], platform: str, home: Path) -> Path:
    """`STUDIO_ACCESS_CACHE_DIR` if set; else XDG cache, ~/Library/Caches, %LOCALAPPDATA%."""
    if env.get("STUDIO_ACCESS_CACHE_DIR"):
        return Path(env["STUDIO_ACCESS_CACHE_DIR"])
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / APP / "Cache"
    if platform == "darwin":
        return home / "Library" / "Caches" / APP
    return Path(env.get("XDG_CACHE_HOME") or home / ".cache") / APP


def config_candidates(flag: str | None, env: Mapping[str, str], platform: str, home: Path) -> tuple[Path, str]:
    """The config file to read and how it was chosen: --config, STUDIO_ACCESS_CONFIG, default."""
    if flag:
        return Path(flag).expanduser(), "--config"
    if env.get("STUDIO_ACCESS_CONFIG"):
        return Path(env["STUDIO_ACCESS_CONFIG"]).expanduser(), "STUDIO_ACCESS_CONFIG"
    return user_config_dir(env, platform, home) / CONFIG_FILE, "default location"
