"""Territory: a map of the territories, then participations, organisations and (from attendance
records) people by territory and component (the figures: content/figures.toml)."""

from care_dashboard import ui, ui_figures as blocks

ctx = ui.page_context()
blocks.page_header(ctx, "territory")

found = blocks.page_views(ctx, "territory")
if not blocks.figures(ctx, found, ["territory_map", "territory_participations", "territory_organisations", "territory_people"]):
    blocks.empty_state(ctx)
