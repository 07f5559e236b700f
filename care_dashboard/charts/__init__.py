"""Chart builders: small pure functions from a query result to a Plotly figure.

Every figure has its unit in the title; values that are not published are written as such on the
chart, never drawn as zero. Colours and fonts come from one template (``TEMPLATE``). System fonts
only: nothing is fetched from the web.

The modules: ``theme`` (colours, the template, the base layout, ``from_dicts``), the builders
``bars`` (bars by territory and by component, the components' timeline), ``matrix`` (the
organisation grid) and ``people`` (the charts of attendance records), and ``finish`` (a built
chart's heading, footer, projector sizes and row fitting, and the text helpers the builders
share). ``__all__`` lists the public names, imported here from the modules that hold them.
"""

from .bars import (
    MAX_TERRITORY_ROWS,
    component_participations_chart,
    component_timeline_chart,
    component_timeline_title,
    territory_component_chart,
    territory_participations_chart,
)
from .finish import (
    FOOTER_NAME,
    FOOTER_WRAP_CHARS,
    FOOTER_WRAP_CHARS_NARROW,
    MIN_ROW_FONT_PX,
    MULTILINE_TITLE_SHIFT_EM,
    SUBTITLE_LINE_PX,
    SUBTITLE_WRAP_CHARS,
    SUBTITLE_WRAP_CHARS_NARROW,
    TITLE_LINE_PX,
    TITLE_WRAP_CHARS,
    TITLE_WRAP_CHARS_NARROW,
    fit_rows,
    for_projector,
    html_escape,
    margin_px,
    plain_title,
    with_caveat_footer,
    with_heading,
    wrap_label,
)
from .matrix import MAX_MATRIX_ORGANISATIONS, organisation_matrix_chart
from .people import (
    MAX_TERRITORY_PANELS,
    component_overlaps_chart,
    components_per_person_by_territory_chart,
    components_per_person_chart,
)
from .theme import (
    ABSENT_DOT,
    COMPONENT_COLOURS,
    FONT_FAMILY,
    INK,
    MUTED,
    OTHER_COLOURS,
    PEOPLE_COLOUR,
    STATUS_COLOURS,
    STATUS_ORDER,
    TEMPLATE,
    DictFigure,
    component_colour,
    component_colours,
    from_dicts,
)

__all__ = [
    # the builders
    "component_overlaps_chart", "component_participations_chart", "component_timeline_chart",
    "component_timeline_title", "components_per_person_by_territory_chart", "components_per_person_chart",
    "organisation_matrix_chart", "territory_component_chart", "territory_participations_chart",
    "MAX_MATRIX_ORGANISATIONS", "MAX_TERRITORY_PANELS", "MAX_TERRITORY_ROWS",
    # the theme
    "ABSENT_DOT", "COMPONENT_COLOURS", "FONT_FAMILY", "INK", "MUTED", "OTHER_COLOURS", "PEOPLE_COLOUR",
    "STATUS_COLOURS", "STATUS_ORDER", "TEMPLATE", "DictFigure", "component_colour", "component_colours",
    "from_dicts",
    # finishing a chart
    "FOOTER_NAME", "FOOTER_WRAP_CHARS", "FOOTER_WRAP_CHARS_NARROW", "MIN_ROW_FONT_PX", "MULTILINE_TITLE_SHIFT_EM",
    "SUBTITLE_LINE_PX", "SUBTITLE_WRAP_CHARS", "SUBTITLE_WRAP_CHARS_NARROW", "TITLE_LINE_PX", "TITLE_WRAP_CHARS",
    "TITLE_WRAP_CHARS_NARROW", "fit_rows", "for_projector", "html_escape", "margin_px", "plain_title",
    "with_caveat_footer", "with_heading", "wrap_label",
]
