"""``openror templates load`` and ``list``: the bundled templates, a deployer's own files, and
one-line errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from click.testing import CliRunner

from openror.cli import main
from openror.templates.bundled import bundled_templates


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_load_the_bundled_templates_then_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert _run("db", "upgrade", "--database", url)[0] == 0
    code, out = _run("templates", "load", "--database", url)
    assert code == 0, out
    assert "2 created, 0 updated, 0 unchanged" in out
    assert "created: Questionnaire/openror-offre-de-ville-medecine-generale" in out
    code, out = _run("templates", "load", "--database", url)
    assert code == 0 and "0 created, 0 updated, 2 unchanged" in out

    mine = copy.deepcopy(bundled_templates()[1])
    mine["title"] = "Cabinet de médecine générale (modèle régional)"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "gp.json").write_text(json.dumps(mine), encoding="utf-8")
    code, out = _run("templates", "load", str(tmp_path / "mine"), "--database", url)
    assert code == 0 and "0 created, 1 updated, 0 unchanged" in out

    code, out = _run("templates", "list", "--json", "--database", url)
    listed = {t["id"]: t for t in map(json.loads, out.splitlines())}
    gp = listed["openror-offre-de-ville-medecine-generale"]
    assert gp["version"] == 2 and gp["title"].endswith("(modèle régional)")
    assert "SA07" in gp["contexts"]["catEG"] and gp["contexts"]["typePS"] == ["10"]
    assert listed["ror-questionnaire-offre-mco"]["canonical"].endswith("/FDS-109|1")


def test_a_bad_file_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    _run("db", "upgrade", "--database", url)
    broken = copy.deepcopy(bundled_templates()[0])
    broken["useContext"] = broken["useContext"][-1:]  # champAct only: no EG category
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    code, out = _run("templates", "load", str(tmp_path / "broken.json"), "--database", url)
    assert code == 1 and out.count("\n") == 1
    assert out.startswith("openror: error: Questionnaire/ror-questionnaire-offre-mco: ")
    assert "catEG" in out
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    code, out = _run("templates", "load", str(tmp_path / "bad.json"), "--database", url)
    assert code == 1 and "bad.json: not JSON" in out
