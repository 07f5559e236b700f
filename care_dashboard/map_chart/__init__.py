"""The map of territories: a pure builder, like those in ``charts``.

Colombia is drawn from the bundled boundaries (``geo.py``) as ordinary filled lines on x/y axes,
longitude across and latitude up, each y axis anchored to its x axis so a kilometre is as long
north-south as east-west at the panel's latitude. No Plotly geo subplot and no tile map: those load
their base map from the web, and the dashboard must work with no network.

Each territory is a circle whose AREA is proportional to its participations (one scale in every
panel, with a key; the more territories the dataset has, the smaller the largest circle). A
territory whose participations are not published gets no circle, only a small ring where it is
and "not published" in its label. San Andrés and Providencia, 700 km out in the Caribbean, are
drawn in a box in the open sea of the country view, as maps of Colombia do.

Two variants of one figure (``layout``), with the same data: "wide" puts the zoomed panels in a
column beside the country (a projector, a laptop: a plot from ``WIDE.min_plot_width_px`` wide);
"narrow" stacks the country, the zoomed panels and the size key (a phone: a plot from
``NARROW.min_plot_width_px`` wide). The figure's ``layout.meta`` says which, and the narrowest
figure width it is drawn for. A server cannot know the screen, so a page draws both and shows one
with a CSS media query. Every panel keeps its size at any width from the one its variant is drawn
for (only the wide country view grows, up to the figure's height, and its labels are placed so
they stay apart at its narrowest, its widest and in between).

Places crowd when their circles would touch at the scale of the country: such a group, at most
``CLUSTER_KM`` across, may get a zoomed panel; the ``MAX_INSETS`` groups of most places (then most
participations) do, and the country view marks each with a lettered frame. Labels are then placed
one at a time, busiest territory first, at the first free spot beside the circle or, further out,
with a thin leader line: never over another label, a circle, a frame, the islands' box or a
panel's edge, and no leader line through another circle. A territory whose label finds no room
gets a number beside its circle and a line in the notes under the map. A dense map (more than
``DENSE_AT`` territories) names only the busiest ``MAX_NAMED`` of the country view that find room,
in a smaller font, and says so. ``figure_boxes`` measures a finished figure the way the builder
placed it, so tests check the figure itself.

The modules, each building only on those before it: ``design`` (colours, sizes, the two
variants, ``Point`` and ``Panel``), ``text`` (text sizes), ``data`` (points, colours and the
circles' scale, the map's table), ``layout`` (where the panels go, which places crowd),
``placement`` (placing labels), ``drawing`` (the panels and their land), ``places`` (circles,
labels and numbers), ``islands`` (San Andrés y Providencia), ``furniture`` (scale bars,
department names, the size key, the lettered frames) and ``builder`` (``territory_map``);
``measure`` measures a finished figure. ``__all__`` lists the public names, imported here from
the modules that hold them.
"""

from .builder import territory_map
from .data import colour_of, diameters_px, key_value, largest_diameter_px, map_table, scale_top
from .design import (
    CENTRE_KEEP,
    CIRCLE_OPACITY,
    CLEAR_PX,
    CLUSTER_KM,
    COUNTRY_PAD_DEG,
    CROWD_MIN_PX,
    DENSE_AT,
    DEPARTMENT_LINE,
    DESIGNS,
    EDGE_PX,
    FAR_LEADER_PX,
    FIRST_LINE,
    FRAME_LETTERS,
    FRAME_LINE,
    FULL_SIZE_UP_TO,
    GAP_PX,
    INSET_CLOSEST_DEG,
    INSET_HALF_HEIGHT_DEG,
    ISLANDS_BOX_CENTRE,
    ISLANDS_REACH_DEG,
    KEY_HEIGHT_PX,
    KEY_VALUES,
    LABEL_BACKGROUND,
    LABEL_PAD_PX,
    LAND,
    LEADER_ANGLES,
    LEADER_LINE,
    LEADER_PX,
    LINE_SPACING,
    MAX_INSETS,
    MAX_NAMED,
    NARROW,
    NEIGHBOUR,
    NEUTRAL,
    OUTLINE_LINE,
    RING_PX,
    SEA,
    SUBTITLE_GAP_PX,
    TITLE_ASCENT,
    TITLE_TOP_PX,
    WIDE,
    WIDE_ALONE_X,
    WIDE_COUNTRY_X,
    WIDE_INSETS_X,
    WIDE_KEY_ALONE_X,
    WIDE_PLOT_HEIGHT_PX,
    ZOOM_UP_TO,
    Design,
    Panel,
    Point,
)
from .furniture import SCALE_BAR_AT
from .layout import Arrangement, Slot, clusters
from .measure import Mark, circle_clash, crosses, figure_boxes, overlap, scaled
from .placement import Scene, Spot, place_box, place_label, place_labels
from .places import label_text, split_name
from .text import box_size_px, text_size_px, text_width_px, wrap

__all__ = [
    # the builder
    "territory_map",
    # its data
    "colour_of", "diameters_px", "key_value", "largest_diameter_px", "map_table", "scale_top",
    # its design
    "CENTRE_KEEP", "CIRCLE_OPACITY", "CLEAR_PX", "CLUSTER_KM", "COUNTRY_PAD_DEG", "CROWD_MIN_PX", "DENSE_AT",
    "DEPARTMENT_LINE", "DESIGNS", "EDGE_PX", "FAR_LEADER_PX", "FIRST_LINE", "FRAME_LETTERS", "FRAME_LINE",
    "FULL_SIZE_UP_TO", "GAP_PX", "INSET_CLOSEST_DEG", "INSET_HALF_HEIGHT_DEG", "ISLANDS_BOX_CENTRE",
    "ISLANDS_REACH_DEG", "KEY_HEIGHT_PX", "KEY_VALUES", "LABEL_BACKGROUND", "LABEL_PAD_PX", "LAND", "LEADER_ANGLES",
    "LEADER_LINE", "LEADER_PX", "LINE_SPACING", "MAX_INSETS", "MAX_NAMED", "NARROW", "NEIGHBOUR", "NEUTRAL",
    "OUTLINE_LINE", "RING_PX", "SCALE_BAR_AT", "SEA", "SUBTITLE_GAP_PX", "TITLE_ASCENT", "TITLE_TOP_PX", "WIDE",
    "WIDE_ALONE_X", "WIDE_COUNTRY_X", "WIDE_INSETS_X", "WIDE_KEY_ALONE_X", "WIDE_PLOT_HEIGHT_PX", "ZOOM_UP_TO",
    "Design", "Panel", "Point",
    # where things go, and placing labels
    "Arrangement", "Slot", "clusters", "Scene", "Spot", "place_box", "place_label", "place_labels",
    # texts
    "box_size_px", "label_text", "split_name", "text_size_px", "text_width_px", "wrap",
    # measuring a finished map
    "Mark", "circle_clash", "crosses", "figure_boxes", "overlap", "scaled",
]
