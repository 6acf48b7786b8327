"""What a resident tells us (declared attributes) and how it maps onto audiences.

Declared attributes are coarse on purpose (an age band, an occupation group, a
region path): enough to personalise, too little to identify anyone.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fasou.taxonomy import taxonomy

#: An opaque client id as a mini-app sends it (e.g. a WeChat openid: 28 chars).
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


def valid_client_id(value: str) -> bool:
    return bool(_CLIENT_ID.match(value))


class AgeBand(StrEnum):
    under_18 = "under_18"
    age_18_34 = "18_34"
    age_35_59 = "35_59"
    age_60_plus = "60_plus"


class Occupation(StrEnum):
    student = "student"
    employee = "employee"
    migrant_worker = "migrant_worker"
    gig_worker = "gig_worker"
    business_owner = "business_owner"
    farmer = "farmer"
    village_cadre = "village_cadre"
    civil_servant = "civil_servant"
    veteran = "veteran"
    retired = "retired"
    unemployed = "unemployed"
    other = "other"


#: Declared attribute → audiences it implies (cold start before any event).
AGE_AUDIENCES: dict[AgeBand, tuple[str, ...]] = {
    AgeBand.under_18: ("minors",),
    AgeBand.age_60_plus: ("elderly",),
}
OCCUPATION_AUDIENCES: dict[Occupation, tuple[str, ...]] = {
    Occupation.student: ("minors",),
    Occupation.migrant_worker: ("migrant_workers",),
    Occupation.gig_worker: ("gig_workers",),
    Occupation.business_owner: ("business_owners",),
    Occupation.farmer: ("farmers",),
    Occupation.village_cadre: ("village_cadres",),
    Occupation.civil_servant: ("civil_servants",),
    Occupation.veteran: ("veterans",),
    Occupation.retired: ("elderly",),
}


class Declared(BaseModel):
    """The body of ``PUT /api/v1/profiles/{id}``; every field optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    age_band: AgeBand | None = None
    occupation: Occupation | None = None
    region: str | None = Field(
        default=None, max_length=100, description="行政区划路径, 如 浙江省/金华市/东阳市"
    )
    audiences: list[str] = Field(default_factory=list, max_length=14)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = [p.strip() for p in value.replace("／", "/").split("/")]
        if not all(parts) or len(parts) > 5:
            raise ValueError("region must be a path of 1–5 place names, e.g. 浙江省/金华市/东阳市")
        if parts == ["全国"]:
            return None
        return "/".join(parts)

    @field_validator("audiences")
    @classmethod
    def _known_audiences(cls, values: list[str]) -> list[str]:
        known = taxonomy().ids("audience")
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(f"unknown audience id(s) {unknown}; see fasou/taxonomy/audiences.yaml")
        return list(dict.fromkeys(values))

    def implied_audiences(self) -> list[str]:
        """Declared audiences plus those implied by age band and occupation."""
        out = list(self.audiences)
        if self.age_band:
            out += AGE_AUDIENCES.get(self.age_band, ())
        if self.occupation:
            out += OCCUPATION_AUDIENCES.get(self.occupation, ())
        return list(dict.fromkeys(out))
