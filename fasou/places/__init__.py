"""Places a resident can name, their approximate centres, and distances to services.

A resident who would rather not share a GPS position can still say "I am in
横店镇"; the page and the mini-app then show how far each legal-service office
is from that town's centre. The table (``places.yaml``) is versioned config,
validated on load like the taxonomies, so a typo fails with file and line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fasou.yamlconfig import load_yaml_model

PLACES_FILE = Path(__file__).resolve().parent / "places.yaml"
EARTH_RADIUS_KM = 6371.0088
#: ``29.29,120.24`` — a position as a mini-app's location API gives it.
_LAT_LON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
#: Depth of a path → what the place is (省/市/县/镇街).
LEVELS = {1: "province", 2: "city", 3: "county", 4: "town"}


class Place(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    path: str = Field(pattern=r"^[^/\s]+(/[^/\s]+){0,3}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def level(self) -> str:
        return LEVELS[self.path.count("/") + 1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "level": self.level,
            "lat": self.lat,
            "lon": self.lon,
        }


class PlaceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    home: str = Field(description="the county this deployment serves")
    places: tuple[Place, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> PlaceTable:
        paths = [p.path for p in self.places]
        if len(set(paths)) != len(paths):
            raise ValueError("places: duplicate path")
        if self.home not in paths:
            raise ValueError(f"home {self.home!r} is not among places")
        return self


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    #: What the point stands for: a place path, or "position" for raw coordinates.
    label: str


class UnknownPlace(ValueError):
    pass


class Places:
    """The table with lookups by path, by unambiguous name, or by coordinates."""

    def __init__(self, table: PlaceTable) -> None:
        self.version = table.version
        self.home = table.home
        self.places = list(table.places)
        self._by_path = {p.path: p for p in self.places}
        names: dict[str, list[Place]] = {}
        for place in self.places:
            names.setdefault(place.name, []).append(place)
        self._by_name = {n: ps[0] for n, ps in names.items() if len(ps) == 1}

    def resolve(self, near: str) -> Point:
        """``浙江省/金华市/东阳市/横店镇``, ``横店镇`` or ``29.16,120.31`` → a point.

        Raises ``UnknownPlace`` with a message a resident's app can show.
        """
        text = near.strip().replace("／", "/")
        match = _LAT_LON.match(text)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise UnknownPlace("coordinates out of range: lat −90…90, lon −180…180")
            return Point(lat, lon, "position")
        place = self._by_path.get(text) or self._by_name.get(text)
        if place is None:
            raise UnknownPlace(
                f"unknown place {near!r}: use a path or name from /api/v1/places, or 'lat,lon'"
            )
        return Point(place.lat, place.lon, place.path)


def distance_km(a: Point, lat: float, lon: float) -> float:
    """Great-circle distance (haversine), rounded to 0.1 km: centres are approximate."""
    p1, p2 = math.radians(a.lat), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)), 1)


def load_places(path: Path = PLACES_FILE) -> Places:
    return Places(load_yaml_model(path, PlaceTable))


@cache
def places() -> Places:
    """The table shipped with this version (loaded once per process)."""
    return load_places()
