"""Taxonomies and tagging rules load, validate, and point at the line of a mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fasou.taxonomy import TAXONOMY_DIR, ConfigError, load_taxonomy, taxonomy
from fasou.yamlconfig import load_yaml_model
from indexer.tagging.rules import RULES_FILE, StatuteRuleSet

REQUIRED_AUDIENCES = {
    "老年人",
    "未成年人",
    "学生家长",
    "农民工/务工人员",
    "新就业形态劳动者",
    "企业经营者/个体工商户",
    "妇女",
    "残疾人",
    "退役军人",
    "农民",
    "村(社区)干部",
    "公职人员",
    "社区矫正对象",
    "普通居民",
}


def test_shipped_taxonomies_load() -> None:
    tax = taxonomy()
    assert {a.label for a in tax.audiences.values()} == REQUIRED_AUDIENCES
    assert len(tax.topics) >= 20
    assert tax.topics["labor"].label == "劳动就业"
    assert "骑手" in tax.audiences["gig_workers"].terms
    # 12348 is a synonym a resident types: text, not a number
    assert "12348" in tax.topics["public_legal_service"].synonyms


@pytest.fixture()
def tax_dir(tmp_path: Path) -> Path:
    for name in ("audiences.yaml", "topics.yaml"):
        shutil.copy(TAXONOMY_DIR / name, tmp_path / name)
    return tmp_path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_yaml_syntax_error_names_file_and_line(tax_dir: Path) -> None:
    path = tax_dir / "audiences.yaml"
    text = path.read_text().replace("    label: 残疾人\n", "    label: [残疾人\n")
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_taxonomy(tax_dir)
    assert info.value.path.name == "audiences.yaml"
    assert info.value.line is not None and abs(info.value.line - line_of(path, "[残疾人")) <= 2
    assert str(info.value).startswith(f"audiences.yaml:{info.value.line}: invalid YAML")


def test_missing_field_points_at_its_entry(tax_dir: Path) -> None:
    path = tax_dir / "audiences.yaml"
    path.write_text(path.read_text().replace("    label: 退役军人\n", ""))
    with pytest.raises(ConfigError) as info:
        load_taxonomy(tax_dir)
    assert info.value.line == line_of(path, "id: veterans")
    assert "audiences[8].label" in str(info.value) and "required" in str(info.value)


def test_bad_value_points_at_its_line(tax_dir: Path) -> None:
    path = tax_dir / "topics.yaml"
    path.write_text(path.read_text().replace("{id: debt,", "{id: Debt Money,"))
    with pytest.raises(ConfigError) as info:
        load_taxonomy(tax_dir)
    assert info.value.path.name == "topics.yaml"
    assert info.value.line == line_of(path, "Debt Money")
    assert "topics[3].id" in str(info.value)


def test_duplicate_ids_are_rejected(tax_dir: Path) -> None:
    path = tax_dir / "audiences.yaml"
    path.write_text(path.read_text().replace("id: farmers", "id: elderly"))
    with pytest.raises(ConfigError, match="duplicate id 'elderly'"):
        load_taxonomy(tax_dir)


def test_statute_rules_reject_unknown_taxonomy_ids(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    text = RULES_FILE.read_text().replace("topics: [elder_rights]", "topics: [old_people]")
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_yaml_model(path, StatuteRuleSet)
    assert info.value.line == line_of(path, "old_people")
    assert "unknown topic id" in str(info.value)
