"""Words that only the CARE 2025 report makes true, in both languages: what tests/test_texts.py and
tests/test_partner_dataset.py share (a module of its own, not a test file, so that importing it
collects no tests)."""

import re

# words that only the CARE 2025 report makes true: a caveat that holds on any dataset has none
# (whom its sessions were for included: a partner's sheets do not say who attended as what)
_CARE_PLACES = r"CARE|2025|16|799|311|320|168|Cajicá|Bogotá|Barranquilla|Puerto Colombia"
CARE_WORDS = {"en": re.compile(rf"\b({_CARE_PLACES}|soft[ -]skills|eleven|five|seven|waste[ -]pickers?)\b", re.I),
              "es": re.compile(rf"\b({_CARE_PLACES}|habilidades blandas|once|cinco|siete|reciclador(?:a|es|as)?)\b", re.I)}
