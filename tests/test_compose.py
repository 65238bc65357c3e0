"""docker-compose.yml (two Satchel instances, nginx, a MongoDB replica set), checked without
Docker: no engine runs on our machines, so the file and the proxy config are parsed and held
to what Satchel actually reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from satchel.config import ENV_VARS

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "docker-compose.yml"
APP_SERVICES = ("satchel-1", "satchel-2")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def env_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):  # the KEY=value list form
        return dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def mounts_of(service: dict[str, Any]) -> dict[str, str]:
    """Target path -> source (volume name or host path) of each short-form mount."""
    mounts = {}
    for entry in service.get("volumes", []):
        source, target = entry.split(":")[:2]
        mounts[target] = source
    return mounts


def proxy_config(compose: dict[str, Any]) -> str:
    host_path = next(
        source
        for target, source in mounts_of(services(compose)["proxy"]).items()
        if target.startswith("/etc/nginx/")
    )
    path = (REPO / host_path).resolve()
    assert path.is_file(), f"the proxy mounts {host_path}, which does not exist"
    return path.read_text(encoding="utf-8")


def test_every_satchel_variable_the_file_sets_is_one_satchel_reads(compose):
    set_anywhere = {
        name
        for service in services(compose).values()
        for name in env_of(service)
        if name.startswith("SATCHEL_")
    }
    assert set_anywhere, "the compose file configures nothing"
    assert set_anywhere <= set(ENV_VARS), set_anywhere - set(ENV_VARS)


def test_every_satchel_variable_named_in_the_source_is_listed_in_env_vars():
    named = set()
    for path in (REPO / "src" / "satchel").rglob("*.py"):
        named |= set(re.findall(r"[\"'](SATCHEL_[A-Z0-9_]+)[\"']", path.read_text("utf-8")))
    assert named <= set(ENV_VARS), named - set(ENV_VARS)


def test_two_app_instances_share_one_secret_key_file_on_one_volume(compose):
    apps = [services(compose)[name] for name in APP_SERVICES]
    key_files = {env_of(app)["SATCHEL_SECRET_KEY_FILE"] for app in apps}
    assert len(key_files) == 1
    (key_file,) = key_files
    volumes = set()
    for app in apps:
        holding = [src for dst, src in mounts_of(app).items() if key_file.startswith(dst + "/")]
        assert len(holding) == 1, f"{key_file} is not on a mounted volume"
        volumes.add(holding[0])
    assert len(volumes) == 1
    assert volumes <= set(compose["volumes"]), "the key volume must be a named (shared) volume"


def test_instances_keep_their_data_dir_and_issuer_key_on_the_shared_volume(compose):
    apps = [services(compose)[name] for name in APP_SERVICES]
    data_dirs = {env_of(app)["SATCHEL_DATA_DIR"] for app in apps}
    assert len(data_dirs) == 1
    (data_dir,) = data_dirs
    assert {mounts_of(app).get(data_dir) for app in apps} == {"satchel-data"}


def test_second_instance_waits_for_the_first_so_keys_are_created_once(compose):
    second = services(compose)["satchel-2"]
    assert second["depends_on"]["satchel-1"]["condition"] == "service_healthy"


def test_instances_are_stateless_and_use_the_mongodb_replica_set(compose):
    mongo = services(compose)["mongo"]
    command = mongo["command"]
    assert "--replSet" in command
    replica_set = command[command.index("--replSet") + 1]
    for name in APP_SERVICES:
        url = urlsplit(env_of(services(compose)[name])["SATCHEL_DATABASE_URL"])
        assert url.scheme == "mongodb"
        assert url.hostname == "mongo"
        assert parse_qs(url.query)["replicaSet"] == [replica_set]
    assert "rs.initiate" in " ".join(mongo["healthcheck"]["test"])
    assert {"/data/db"} <= set(mounts_of(mongo))
    assert mounts_of(mongo)["/data/db"] in compose["volumes"]


def test_app_instances_start_only_after_mongo_is_healthy(compose):
    for name in APP_SERVICES:
        depends = services(compose)[name]["depends_on"]
        assert depends["mongo"]["condition"] == "service_healthy"


def test_proxy_config_points_at_both_instances_on_their_port(compose):
    config = proxy_config(compose)
    upstream = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", config, re.DOTALL)
    assert upstream is not None
    servers = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", upstream.group(2), re.MULTILINE))
    expected = {
        f"{name}:{env_of(services(compose)[name])['SATCHEL_PORT']}" for name in APP_SERVICES
    }
    assert servers == expected
    assert re.search(rf"proxy_pass\s+http://{upstream.group(1)}\s*;", config)


def test_proxy_is_the_only_published_port_and_limits_rate_per_client(compose):
    published = [name for name, svc in services(compose).items() if svc.get("ports")]
    assert published == ["proxy"]
    # Satchel limits per client behind the proxy: it must trust the proxy's X-Forwarded-For.
    assert all(
        env_of(services(compose)[n]).get("SATCHEL_TRUSTED_PROXIES") for n in APP_SERVICES
    )
    assert "SATCHEL_RATE_LIMIT" not in env_of(services(compose)["satchel-1"])
    assert re.search(r"proxy_set_header\s+X-Forwarded-For", proxy_config(compose))
    assert re.search(r"limit_req_zone\s+\$binary_remote_addr", proxy_config(compose))


def test_app_image_is_built_from_a_dockerfile_in_the_repository(compose):
    build = services(compose)["satchel-1"]["build"]
    dockerfile = REPO / build["context"] / build["dockerfile"]
    text = dockerfile.read_text(encoding="utf-8")
    assert "constraints.txt" in text
    assert re.search(r"CMD \[\"satchel\", \"serve\"", text)
