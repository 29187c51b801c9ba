"""deploy/ cannot rot: every command, role, port, environment name and config key its files
use is checked against the CLI (build_parser) and the settings model.

No container runtime runs here, so the files are read, not run: the Dockerfile, the compose
file, the systemd units, the image's siyu.toml and the env example.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any, get_args, get_origin
from urllib.parse import urlparse

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; types-PyYAML is not in the lock
from pydantic import BaseModel

from bot.app import Role
from bot.cli import build_parser
from config.settings import Settings, load_settings
from tests.support.processes import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_EXAMPLE = DEPLOY / "siyu.env.example"
NOT_SETTINGS = {"SIYU_CONFIG"}  # read by config.settings itself: the config file's path


def _text(path: Path) -> str:
    return path.read_text("utf-8")


def _instruction(name: str) -> list[str]:
    """Every value of a Dockerfile instruction (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", _text(DOCKERFILE))
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(f"{name} ")]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_text(COMPOSE))
    return loaded


def _siyu_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in _compose()["services"].items()
        if service.get("image") == "siyu:local"
    }


def _unit(path: Path) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in _text(path).splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def siyu_commands() -> list[tuple[str, list[str]]]:
    """(where, argv after ``siyu``) of every siyu invocation in deploy/."""
    [entrypoint], [cmd] = _instruction("ENTRYPOINT"), _instruction("CMD")
    assert json.loads(entrypoint) == ["siyu"]
    found = [("Dockerfile", json.loads(cmd))]
    found += [(f"compose {name}", service["command"]) for name, service in _siyu_services().items()]
    for unit in UNITS:
        [start] = _unit(unit)["ExecStart"]
        program, *argv = shlex.split(start)
        assert program.endswith("/bin/siyu"), unit.name
        found.append((unit.name, argv))
    return found


def _walk(model: type[BaseModel], parts: list[str]) -> bool:
    if not parts:
        return True
    field = model.model_fields.get(parts[0])
    if field is None:
        return False
    annotation = field.annotation
    if get_origin(annotation) is dict:  # [apps.<name>]: any name, then the app's fields
        value_type = get_args(annotation)[1]
        return len(parts) > 1 and _walk(value_type, parts[2:])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _walk(annotation, parts[1:])
    return len(parts) == 1


def is_setting(env_name: str) -> bool:
    """Whether ``SIYU_A__B`` names a settings key (pydantic-settings' env names)."""
    if not env_name.startswith("SIYU_"):
        return False
    return _walk(Settings, env_name.removeprefix("SIYU_").lower().split("__"))


def env_names() -> set[str]:
    """Every SIYU_ name any deploy/ file mentions."""
    names: set[str] = set()
    for path in [DOCKERFILE, COMPOSE, ENV_EXAMPLE, DEPLOY / "siyu.toml", *UNITS]:
        names.update(re.findall(r"\bSIYU_[A-Z0-9_]*[A-Z0-9]", _text(path)))
    return names


@pytest.mark.parametrize(("where", "argv"), siyu_commands())
def test_every_command_parses_with_a_known_role(where: str, argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.command == "serve", where
    assert Role(args.role) in {Role.GATEWAY, Role.ADMIN, Role.WORKER, Role.SCHEDULER}, where


def test_compose_runs_two_of_each_role_and_redis_with_aof() -> None:
    roles = [build_parser().parse_args(s["command"]).role for s in _siyu_services().values()]
    assert sorted(roles) == sorted(["gateway", "worker", "scheduler"] * 2 + ["admin"])
    redis = _compose()["services"]["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes"
    profiled = {n for n, s in _compose()["services"].items() if "sentinel" in s.get("profiles", [])}
    assert {"redis-replica", "sentinel-1", "sentinel-2", "sentinel-3"} <= profiled


def test_every_environment_name_is_a_setting() -> None:
    names = env_names() - NOT_SETTINGS
    assert "SIYU_REDIS__SENTINELS" in names
    assert [name for name in sorted(names) if not is_setting(name)] == []
    assert not is_setting("SIYU_REDIS__SENTINEL") and not is_setting("SIYU_APPS__DEFAULT__NOPE")


def image_settings(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> Settings:
    """The image's siyu.toml plus ``environment``, as a container would load them."""
    for name in env_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return load_settings(str(DEPLOY / "siyu.toml"))


def _example_env() -> dict[str, str]:
    pairs = [
        line.split("=", 1)
        for line in _text(ENV_EXAMPLE).splitlines()
        if line and not line.startswith("#")
    ]
    values = {name: value or "x" for name, value in pairs}
    values["SIYU_APPS__DEFAULT__ENCODING_AES_KEY"] = "a" * 43
    return values


def _interpolated(value: str, given: dict[str, str]) -> str:
    """Compose's ``${NAME-default}`` and ``${NAME:-default}``."""
    match = re.fullmatch(r"\$\{(\w+)(:?-)(.*)\}", value)
    if match is None:
        return value
    name, operator, default = match.groups()
    if name in given and (operator == "-" or given[name]):
        return given[name]
    return default


@pytest.mark.parametrize("sentinel", [False, True])
def test_the_config_and_compose_environment_load(
    monkeypatch: pytest.MonkeyPatch, sentinel: bool
) -> None:
    given = (
        {"SIYU_REDIS__URL": "", "SIYU_REDIS__SENTINELS": '["sentinel-1:26379"]'} if sentinel else {}
    )
    environment = {
        **_example_env(),
        **{
            name: _interpolated(str(value), given)
            for name, value in _compose()["x-siyu"]["environment"].items()
        },
    }
    settings = image_settings(monkeypatch, environment)
    if sentinel:
        assert settings.redis.sentinels == ["sentinel-1:26379"] and not settings.redis.url
    else:
        assert settings.redis.url == "redis://redis:6379/0" and settings.redis.sentinels == []
    assert settings.redis.master_name == "siyu"


def test_ports_agree_with_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = image_settings(monkeypatch, _example_env())
    gateway, probes = settings.server.port, settings.observability.port
    assert {int(p) for e in _instruction("EXPOSE") for p in e.split()} == {gateway, probes}
    [healthcheck] = _instruction("HEALTHCHECK")
    assert _probe_port(healthcheck) == gateway  # the image's default CMD is a gateway
    for name, service in _siyu_services().items():
        role = build_parser().parse_args(service["command"]).role
        if role in {"gateway", "admin"}:  # both listen on [server]
            assert [p.rsplit(":", 1)[1] for p in service["ports"]] == [str(gateway)], name
        else:
            assert _probe_port(" ".join(service["healthcheck"]["test"])) == probes, name
    for unit in UNITS:
        role = build_parser().parse_args(shlex.split(_unit(unit)["ExecStart"][0])[1:]).role
        section = "SERVER" if role in {"gateway", "admin"} else "OBSERVABILITY"
        assert f"SIYU_{section}__PORT=%i" in _unit(unit)["Environment"], unit.name


def _probe_port(text: str) -> int:
    [url] = re.findall(r"http://[^'\" ]+/healthz", text)
    port: int | None = urlparse(str(url)).port
    assert port is not None
    return port


def test_the_image_is_slim_non_root_and_installs_the_lock() -> None:
    assert all(stage.split()[0] == "python:3.11-slim" for stage in _instruction("FROM"))
    [user] = _instruction("USER")
    assert user.strip() not in {"0", "root"}
    runs = " ".join(_instruction("RUN"))
    assert "--require-hashes" in runs and "-r requirements.lock" in runs
    for copy in _instruction("COPY"):
        if "--from" not in copy:
            *sources, _target = copy.split()
            assert all((PROJECT_ROOT / s).exists() for s in sources), copy
