"""kpiflow package."""
