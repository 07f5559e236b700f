"""Display names for ids, in the chosen language, built from the option queries (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import i18n, rows


@dataclass(frozen=True)
class Labels:
    lang: str
    components: dict[str, str]
    territories: dict[str, str]
    organisations: dict[str, str]

    def component(self, cid: str) -> str:
        return self.components.get(cid, cid)

    def territory(self, tid: str) -> str:
        return self.territories.get(tid, tid)

    def organisation(self, oid: str) -> str:
        return self.organisations.get(oid, oid)


def organisation_label(row, territory_name: str, lang: str) -> str:
    """The published name, or a neutral label with the city for an organisation the source does not name."""
    if bool(row["is_name_published"]):
        return str(row["organisation_name"])
    if pd.isna(row["unnamed_index"]):
        return i18n.t("labels.unnamed_organisation", lang, city=territory_name)
    return i18n.t(
        "labels.unnamed_organisation_n", lang, n=int(row["unnamed_index"]), city=territory_name
    )


def build(components: pd.DataFrame, territories: pd.DataFrame, organisations: pd.DataFrame, lang: str) -> Labels:
    name_col = "component_name_es" if lang == "es" else "component_name_en"
    territory_names = dict(zip(territories["territory_id"], territories["territory_name"]))
    return Labels(
        lang=lang,
        components=dict(zip(components["component_id"], components[name_col])),
        territories=territory_names,
        organisations={
            row["organisation_id"]: organisation_label(
                row, territory_names.get(row["territory_id"], row["territory_id"]), lang
            )
            for row in rows.records(organisations)
        },
    )
