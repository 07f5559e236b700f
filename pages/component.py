"""Component: each component's period and reach on a timeline, and its audience where its source
states one (the figure: content/figures.toml)."""

from care_dashboard import ui, ui_figures as blocks

ctx = ui.page_context()
blocks.page_header(ctx, "component")

found = blocks.page_views(ctx, "component")
if not blocks.figures(ctx, found, ["component_timeline"]):
    blocks.empty_state(ctx)
