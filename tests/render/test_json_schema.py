"""`parse --json` output against the committed JSON Schema, for every seed and every fixture."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from gongkai import ReadError, parse_path
from gongkai.render.json_view import report_json
from gongkai.render.schema import parse_output_schema, schema_text
from tests.conftest import LAYOUTS, SEEDS

SCHEMA_FILE = Path(__file__).parents[2] / "schema" / "parse-output.schema.json"
INPUTS = sorted(SEEDS.iterdir()) + sorted(p for p in LAYOUTS.iterdir() if p.name not in ("empty.txt", "junk.bin"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_output_validates(validator, path):
    out = json.loads(json.dumps(report_json(parse_path(path)), ensure_ascii=False))
    errors = sorted(validator.iter_errors(out), key=str)
    assert not errors, errors[0]


def test_schema_rejects_a_wrong_key(validator):
    out = report_json(parse_path(next(SEEDS.glob("004_*"))))
    out["requests"]["new_received"]["nobody"] = 1
    assert not validator.is_valid(out)
    out = report_json(parse_path(next(SEEDS.glob("004_*"))))
    out["requests"]["new_received"]["total"] = "107"
    assert not validator.is_valid(out)


def test_committed_schema_is_what_gongkai_schema_prints():
    assert SCHEMA_FILE.read_text("utf-8") == schema_text()
    out = subprocess.run([sys.executable, "-c", "from gongkai.cli import main; main()", "schema"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout) == parse_output_schema()


def test_error_lines_validate_and_are_not_reports(validator):
    """What `parse --json` prints for unreadable inputs and for a page that is not a report."""
    paths = [LAYOUTS / "empty.txt", LAYOUTS / "junk.bin", LAYOUTS / "not_report.html"]
    out = subprocess.run([sys.executable, "-c", "from gongkai.cli import main; main()", "parse", "--json",
                          *map(str, paths)], capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["error"]["code"] for line in lines] == ["empty", "binary", "not_a_report"]
    for line in lines:
        errors = sorted(validator.iter_errors(line), key=str)
        assert not errors, errors[0]
    assert not validator.is_valid({"source": {"path": "x"}, "error": {"code": "binary"}})


def test_unreadable_inputs_raise_read_error_only():
    for name in ("empty.txt", "junk.bin"):
        with pytest.raises(ReadError):
            parse_path(LAYOUTS / name)
