"""docker-compose.yml is checked by parsing it: no Docker engine on the build machine.

What is checked is what an operator relies on: every service the deployment guide
names, health checks on the endpoints that exist, secrets only from the environment,
volumes for everything stateful, resource limits, and an API serving several workers.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from search_api.main import create_app
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
SECRETS = ("ELASTIC_PASSWORD", "FASOU_ES_PASSWORD", "POSTGRES_PASSWORD", "FASOU_SECRET_KEY")


def test_the_services_of_the_guide_exist_with_health_checks_and_limits() -> None:
    assert {"elasticsearch", "postgres", "api", "scheduler"} <= set(SERVICES)
    for name in ("elasticsearch", "postgres", "api", "scheduler"):
        service = SERVICES[name]
        assert service["healthcheck"]["test"], name
        assert service["deploy"]["resources"]["limits"]["memory"], name
        assert service["restart"] == "unless-stopped", name


def test_api_health_check_uses_an_existing_readiness_endpoint(tmp_path: Path) -> None:
    check = " ".join(SERVICES["api"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/[\w/]+)", check).group(1)
    assert path == "/api/v1/healthz/ready"
    with TestClient(create_app(make_settings(tmp_path))) as client:
        for endpoint in (path, "/api/v1/healthz/live", "/metrics"):
            assert client.get(endpoint).status_code == 200, endpoint


def test_api_runs_several_workers_after_its_dependencies() -> None:
    api = SERVICES["api"]
    assert "--workers" in " ".join(api["command"])
    assert api["environment"]["FASOU_WORKERS"].startswith("${FASOU_WORKERS")
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert SERVICES["scheduler"]["depends_on"]["api"]["condition"] == "service_healthy"


def test_secrets_come_from_the_environment_only() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert f"${{{secret}:?" in text, secret  # required, from env / .env
    env = SERVICES["api"]["environment"]
    assert env["FASOU_DATABASE_URL"].startswith("postgresql")
    assert "${POSTGRES_PASSWORD:?" in env["FASOU_DATABASE_URL"]
    assert env["FASOU_ENVIRONMENT"] == "production"  # refuses the development key


def test_stateful_services_keep_their_data_in_named_volumes() -> None:
    volumes = set(COMPOSE["volumes"])
    for name, mount in (
        ("elasticsearch", "/usr/share/elasticsearch/data"),
        ("postgres", "/var/lib/postgresql/data"),
        ("api", "/data"),
    ):
        mounted = {v.split(":")[0] for v in SERVICES[name]["volumes"] if v.endswith(mount)}
        assert mounted and mounted <= volumes, name
