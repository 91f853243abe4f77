"""init, campaign load, agencies import and status, end to end on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

from .conftest import AGENCIES_FILE, CAMPAIGN_FILE

STATUS_KEYS = {"agency", "name", "category", "state", "sent_at", "received_at", "on_time", "completeness",
               "missing", "reminders_sent", "submissions", "last_event"}


def _setup(cli, config_file):
    assert cli("init", "--config", config_file).code == 0
    r = cli("campaign", "load", CAMPAIGN_FILE, "--config", config_file)
    assert r.code == 0, r.err
    assert r.out.strip() == "5422/BTTTT-CBC"
    r = cli("agencies", "import", AGENCIES_FILE, "--config", config_file)
    assert r.code == 0, r.err
    return r


def test_fresh_install_lists_every_agency_not_sent(cli, config_file):
    _setup(cli, config_file)
    r = cli("status", "--format", "json", "--config", config_file)
    assert r.code == 0, r.err
    rows = r.json()
    assert len(rows) >= 93
    assert {row["state"] for row in rows} == {"not_sent"}
    assert all(STATUS_KEYS <= row.keys() for row in rows)
    assert len({row["agency"] for row in rows}) == len(rows)
    byt = next(row for row in rows if row["agency"] == "BYT")
    assert byt["name"] == "Bộ Y tế" and byt["category"] == "ministry"
    assert byt["missing"] == [] and byt["reminders_sent"] == 0 and byt["submissions"] == 0


def test_loading_and_importing_twice_changes_nothing(cli, config_file):
    _setup(cli, config_file)
    before = cli("status", "--format", "json", "--config", config_file).json()
    again = _setup(cli, config_file)
    assert "0 created, 0 updated" in again.out and "0 enrolled" in again.out
    after = cli("status", "--format", "json", "--config", config_file).json()
    assert after == before  # last_event too: nothing new was logged


def test_init_twice_keeps_the_schema_at_head(cli, config_file):
    assert "created" in cli("init", "--config", config_file).out
    r = cli("init", "--config", config_file)
    assert r.code == 0 and "up to date" in r.out


def test_commands_before_init_say_what_to_do(cli, config_file):
    r = cli("status", "--config", config_file)
    assert r.code == 2 and "reportbot init" in r.err


def test_status_csv_has_the_contract_columns(cli, config_file):
    _setup(cli, config_file)
    r = cli("status", "--format", "csv", "--config", config_file)
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert len(rows) >= 93 and STATUS_KEYS <= set(rows[0])


def test_status_table_has_a_summary_by_state(cli, config_file):
    _setup(cli, config_file)
    r = cli("status", "--config", config_file)
    assert r.code == 0 and any(line.startswith("100 agencies: 100 not_sent") for line in r.out.splitlines())


def test_unknown_campaign_code_is_a_user_error(cli, config_file):
    _setup(cli, config_file)
    r = cli("status", "--campaign", "999/XYZ", "--config", config_file)
    assert r.code == 2 and "999/XYZ" in r.err and "5422/BTTTT-CBC" in r.err


def test_bad_campaign_file_names_the_key(cli, config_file, tmp_path):
    cli("init", "--config", config_file)
    bad = tmp_path / "bad.toml"
    bad.write_text(CAMPAIGN_FILE.read_text(encoding="utf-8").replace(
        "deadline = 2024-12-30T17:00:00+07:00", "deadline = 2024-12-30T17:00:00"), encoding="utf-8")
    r = cli("campaign", "load", bad, "--config", config_file)
    assert r.code == 2 and "campaign.deadline" in r.err and "offset" in r.err
