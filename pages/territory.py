"""Territory: a map of the territories, then participations, organisations and (from attendance
records) people by territory and component (the figures: content/figures.toml)."""

from care_dashboard import makers, ui, ui_figures as blocks

ctx = ui.page_context()
blocks.page_header(ctx, "territory")
ctx.prefetch("coverage_by_territory", "participations_by_territory")
ui.start_queries(ctx.dataset, [("participations_by_territory", makers.WHOLE_DATASET)])  # the map's scale

found = blocks.page_views(ctx, "territory")
if not any(found.values()):
    blocks.empty_state(ctx)
else:
    blocks.figures(ctx, found, ["territory_map", "territory_participations", "territory_organisations", "territory_people"])
