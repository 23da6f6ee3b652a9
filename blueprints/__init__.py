"""Thin Flask routes, one module per area: parse the form, call accounting/, render a template."""
