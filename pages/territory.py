"""Territory: a map of the territories, then participations and organisations by territory and
component."""

from care_dashboard import charts, geo, map_chart, tables, ui

ctx = ui.page_context()
ui.page_header(ctx, "territory")
ctx.prefetch("coverage_by_territory", "participations_by_territory")
WHOLE = dict(components=None, territories=None, organisations=None)  # the map's scale: the whole dataset
ui.start_queries(ctx.dataset, [("participations_by_territory", WHOLE)])

coverage = ctx.run("coverage_by_territory")
if coverage.empty:
    ui.empty_state(ctx)
else:
    coverage_table = ctx.memo("coverage_table", lambda: tables.coverage_table(coverage, ctx.labels))
    by_territory = ctx.run("participations_by_territory")
    places = ui.filter_options(ctx.dataset).territories  # names and coordinates, kept per version
    # the whole dataset's figures set the circles' scale, so filtered maps compare
    whole = ctx.run("participations_by_territory", with_selection=False, **WHOLE)
    map_args = (by_territory, places, geo.load_boundaries(), ctx.t("map.title"), ctx.labels)
    ui.chart_block(
        ctx,
        lambda: map_chart.territory_map(*map_args, whole=whole),
        "participations_by_territory",
        "map.unit",
        key="territory_map",
        extra_caveats=["map_positions_approximate"],  # of the map, not of its query's figures
        export_df=lambda: map_chart.map_table(by_territory, places, ctx.labels),
        narrow_fig=lambda: map_chart.territory_map(*map_args, whole=whole, layout="narrow"),
    )
    for measure, title_key, unit_key, key in (
        ("participations_count", "territory.participations_title", "units.participations_long", "territory_participations"),
        ("organisations_count", "territory.organisations_title", "units.organisations_per_component", "territory_organisations"),
        *([("people_count", "territory.people_title", "units.people_exact", "territory_people")] if ctx.is_record_level else []),
    ):
        ui.chart_block(
            ctx,
            lambda: charts.territory_component_chart(coverage, measure, ctx.t(title_key), ctx.labels),
            "coverage_by_territory",
            unit_key,
            key=key,
            export_df=coverage_table,
            narrow_fig=lambda: charts.territory_component_chart(coverage, measure, ctx.t(title_key), ctx.labels, narrow=True),
        )
