"""Overview: the programme at a glance. Four headline figures, then participations by component
and by territory; each with its unit and its key caveats beside it, the rest one click away
(the figures: content/figures.toml)."""

from care_dashboard import ui, ui_figures as blocks

ctx = ui.page_context()
blocks.page_header(ctx, "overview")

if not ctx.source.has_rows():
    blocks.empty_state(ctx)
else:
    found = blocks.page_views(ctx, "overview")
    blocks.figures(ctx, found, ["overview_participations", "overview_people", "overview_organisations",
                                "overview_territories"], columns=4)
    blocks.figures(ctx, found, ["overview_components", "overview_by_territory"], columns=2)
