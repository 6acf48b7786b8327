"""Places and distances: resolution by path, name or coordinates; validated config."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from fasou.places import Point, UnknownPlace, distance_km, load_places, places
from fasou.yamlconfig import ConfigError


def test_every_town_of_the_home_county_resolves_by_name_and_path() -> None:
    table = places()
    towns = [p for p in table.places if p.level == "town"]
    assert len(towns) >= 18 and all(p.path.startswith(table.home + "/") for p in towns)
    for town in towns:
        assert table.resolve(town.name) == table.resolve(town.path)
    assert table.resolve("横店镇").label == "浙江省/金华市/东阳市/横店镇"


def test_coordinates_resolve_and_bad_input_is_refused() -> None:
    assert places().resolve(" 29.16 , 120.31 ") == Point(29.16, 120.31, "position")
    for bad in ("火星", "95,120", "29.1;120.3", ""):
        with pytest.raises(UnknownPlace):
            places().resolve(bad)


def test_distance_is_great_circle_kilometres() -> None:
    dongyang = places().resolve("东阳市")
    assert distance_km(dongyang, dongyang.lat, dongyang.lon) == 0.0
    # 东阳 → 金华 centre, checked against the flat-earth approximation (fine at 60 km).
    jinhua = places().resolve("浙江省/金华市")
    mean_lat = math.radians((dongyang.lat + jinhua.lat) / 2)
    dx = math.radians(jinhua.lon - dongyang.lon) * math.cos(mean_lat)
    dy = math.radians(jinhua.lat - dongyang.lat)
    flat = 6371.0088 * math.hypot(dx, dy)
    assert distance_km(dongyang, jinhua.lat, jinhua.lon) == pytest.approx(flat, abs=0.2)
    assert 60 < flat < 65


def test_a_bad_table_fails_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    path.write_text(
        "version: 1\nhome: 甲省/乙市\nplaces:\n  - {path: 甲省/乙市, lat: 29.1, lon: 120.2}\n"
        "  - {path: 甲省/乙市/丙县, lat: 129.1, lon: 120.2}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"places.yaml:5: places\[1\]\.lat"):
        load_places(path)
    path.write_text(
        "version: 1\nhome: 甲省/丁市\nplaces:\n  - {path: 甲省/乙市, lat: 29.1, lon: 120.2}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="home"):
        load_places(path)
