"""``fasou users …``: the first admin, accounts and API tokens from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fasou.cli import app
from fasou.config import get_settings
from indexer.catalog import Catalog
from search_api.auth.accounts import Accounts, AuthFailure
from tests.catalog_db import catalog_url, data_dir_env
from tests.conftest import TEST_SECRET_KEY


@pytest.fixture()
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    for key, value in data_dir_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FASOU_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def accounts(tmp_path: Path) -> tuple[Catalog, Accounts]:
    catalog = Catalog.open(catalog_url(tmp_path))
    return catalog, Accounts(catalog, TEST_SECRET_KEY)


def test_first_admin_and_tokens(cli: CliRunner, tmp_path: Path) -> None:
    created = cli.invoke(
        app,
        ["users", "create", "root-admin", "--role", "admin", "--password-stdin"],
        input="a long admin password\n",
    )
    assert created.exit_code == 0 and "created admin root-admin" in created.output
    again = cli.invoke(
        app,
        ["users", "create", "root-admin", "--role", "editor", "--password-stdin"],
        input="another long password\n",
    )
    assert again.exit_code == 2 and "exists" in again.output
    weak = cli.invoke(
        app,
        ["users", "create", "weakling", "--role", "editor", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code == 2 and "at least 10" in weak.output
    bad_role = cli.invoke(app, ["users", "create", "someone", "--role", "resident"])
    assert bad_role.exit_code != 0

    catalog, repo = accounts(tmp_path)
    try:
        assert repo.authenticate("root-admin", "a long admin password")["role"] == "admin"
        issued = cli.invoke(
            app, ["users", "token", "root-admin", "--name", "import bot", "--scope", "editor:read"]
        )
        assert issued.exit_code == 0, issued.output
        token = json.loads(issued.output)
        principal = repo.resolve(token["token"])
        assert principal.username == "root-admin" and {s.value for s in principal.scopes} == {
            "editor:read"
        }
        listed = cli.invoke(app, ["users", "list"])
        assert json.loads(listed.output.splitlines()[0])["username"] == "root-admin"
        assert "password" not in listed.output
        revoked = cli.invoke(app, ["users", "revoke", token["id"]])
        assert revoked.exit_code == 0 and json.loads(revoked.output)["revoked"] is True
        with pytest.raises(AuthFailure, match="token_revoked"):
            repo.resolve(token["token"])
    finally:
        catalog.close()
