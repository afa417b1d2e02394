"""The designation API: flask-smorest blueprints."""
