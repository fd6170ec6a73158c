"""Web blueprints, one per area."""
