"""The staff console: routes, templates, auth (reportbot web)."""
