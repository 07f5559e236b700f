"""The sidebar selection (components, territories, organisations) as bound query parameters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    components: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    def params(self) -> dict[str, list[str] | None]:
        """Query parameters: an empty choice means "no filter" (NULL), never "match nothing"."""
        return {
            "components": list(self.components) or None,
            "territories": list(self.territories) or None,
            "organisations": list(self.organisations) or None,
        }

    @property
    def is_filtered(self) -> bool:
        return bool(self.components or self.territories or self.organisations)
