"""The sidebar selection (components, territories, organisations) as bound query parameters; its
fields are the filters' query parameters (``filters.FILTERS``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .filters import FILTERS


@dataclass(frozen=True)
class Selection:
    components: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    @classmethod
    def of(cls, chosen: Mapping[str, Iterable[str] | None]) -> Selection:
        """From the chosen ids per filter key (``{"component": ["ohs"]}``)."""
        return cls(**{f.param: tuple(chosen.get(f.key) or ()) for f in FILTERS})

    def chosen(self, key: str) -> tuple[str, ...]:
        """The ids chosen for the filter ``key``."""
        return getattr(self, next(f.param for f in FILTERS if f.key == key))

    def by_key(self) -> dict[str, tuple[str, ...]]:
        return {f.key: getattr(self, f.param) for f in FILTERS}

    def params(self) -> dict[str, list[str] | None]:
        """Query parameters: an empty choice means "no filter" (NULL), never "match nothing"."""
        return {f.param: list(getattr(self, f.param)) or None for f in FILTERS}

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, f.param) for f in FILTERS)
