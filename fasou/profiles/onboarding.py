"""The "为你推荐" onboarding choices and the declared attributes each one stands for.

One screen asks "你是？"; each answer is a persona that maps onto the coarse
declared attributes of a profile (``Declared``). The mapping lives here, once,
and is published by ``GET /api/v1/taxonomy`` so the page and the mini-app send
identical profiles for identical answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fasou.profiles.model import AgeBand, Declared, Occupation


@dataclass(frozen=True)
class Persona:
    id: str
    label: str
    declared: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "declared": dict(self.declared)}


PERSONAS: tuple[Persona, ...] = (
    Persona("elderly", "老人", {"age_band": AgeBand.age_60_plus.value}),
    Persona("student_parent", "学生或家长", {"audiences": ["minors", "parents"]}),
    Persona("migrant_worker", "务工", {"occupation": Occupation.migrant_worker.value}),
    Persona("rider_driver", "骑手司机", {"occupation": Occupation.gig_worker.value}),
    Persona("business_owner", "经营者", {"occupation": Occupation.business_owner.value}),
    Persona("farmer", "农民", {"occupation": Occupation.farmer.value}),
    Persona("other", "其他", {"occupation": Occupation.other.value}),
)

# Fail at import, not in front of a resident, if a persona stops being a valid profile.
for _persona in PERSONAS:
    Declared.model_validate(_persona.declared)
