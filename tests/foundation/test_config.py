"""Config: one typed object, every key documented with its default, clear one-line errors."""
from __future__ import annotations

import tomllib

import pytest

from bot.core.config import Config, load_config, parse_config
from bot.core.errors import UserError

from .conftest import REPO


def test_no_config_file_runs_on_builtin_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTBOT_CONFIG", raising=False)
    cfg = load_config(None)
    assert cfg.database_url == f"sqlite:///{tmp_path / 'var' / 'reportbot.db'}"
    assert cfg.storage_dir == tmp_path / "var"


def test_example_file_documents_exactly_the_defaults():
    data = tomllib.loads((REPO / "config.example.toml").read_text(encoding="utf-8"))
    from_example = parse_config(data, source="example", base_dir=REPO)
    defaults = Config(base_dir=REPO)
    assert from_example.model_dump() == defaults.model_dump()
    # and every key of the model appears in the example
    for section, model in defaults:
        if section == "base_dir":
            continue
        for key, field in type(model).model_fields.items():
            assert (field.alias or key) in data[section], f"{section}.{field.alias or key} undocumented"


def test_relative_paths_resolve_against_the_config_files_folder(tmp_path, monkeypatch):
    site = tmp_path / "etc"
    site.mkdir()
    (site / "config.toml").write_text('[database]\nurl = "sqlite:///db/x.db"\n[storage]\ndir = "store"\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config(site / "config.toml")
    assert cfg.database_url == f"sqlite:///{site / 'db' / 'x.db'}"
    assert cfg.storage_dir == site / "store"


def test_secret_and_ca_files_resolve_against_the_config_files_folder(tmp_path, monkeypatch):
    site = tmp_path / "etc"
    site.mkdir()
    (site / "smtp-pass").write_text("pw\n")
    (site / "config.toml").write_text('[smtp]\npassword_file = "smtp-pass"\n[imap]\nca_file = "ca.pem"\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config(site / "config.toml")
    assert cfg.smtp.password() == "pw"
    assert cfg.imap.ca_file == str(site / "ca.pem")


def test_env_variable_names_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "c.toml").write_text('[smtp]\nport = 2525\n')
    monkeypatch.setenv("REPORTBOT_CONFIG", str(tmp_path / "c.toml"))
    assert load_config(None).smtp.port == 2525


@pytest.mark.parametrize("text, expected", [
    ('[smtp]\nport = "abc"\n', "smtp.port"),
    ('[smtp]\nprot = 25\n', "smtp.prot: unknown key"),
    ('[imap]\nsecurity = "ssl"\n', "imap.security"),
    ('[database]\nurl = "mysql://x"\n', "database.url"),
    ('[staff]\ndigest_to = ["not-an-address"]\n', "staff.digest_to"),
    ('[smtp]\npassword = "hunter2"\n', "smtp.password: secrets are not read from the config file"),
    ('[smtp\n', "invalid TOML"),
    ('[security]\nsender_policy = "strict"\n', "security.sender_policy"),
])
def test_bad_config_is_one_line_naming_the_key(cli, tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    r = cli("status", "--config", path)
    assert r.code == 2
    assert expected in r.err
    assert str(path) in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert "Traceback" not in r.err and "hunter2" not in r.err


def test_missing_config_file_is_a_user_error(cli, tmp_path):
    r = cli("init", "--config", tmp_path / "nope.toml")
    assert r.code == 2 and "config file not found" in r.err


def test_secrets_come_from_env_or_file_never_the_toml(tmp_path, monkeypatch):
    secret = tmp_path / "imap-pass"
    secret.write_text("s3cret\n")
    cfg = parse_config({"smtp": {"password_env": "RB_TEST_SMTP"}, "imap": {"password_file": str(secret)}},
                       source="t", base_dir=tmp_path)
    monkeypatch.setenv("RB_TEST_SMTP", "from-env")
    assert cfg.smtp.password() == "from-env"
    assert cfg.imap.password() == "s3cret"
    assert "s3cret" not in repr(cfg) and "from-env" not in repr(cfg)


def test_unreadable_password_file_is_a_user_error(tmp_path):
    cfg = parse_config({"imap": {"password_file": str(tmp_path / "missing")}}, source="t", base_dir=tmp_path)
    with pytest.raises(UserError, match="password_file"):
        cfg.imap.password()
