"""gunicorn entrypoint: ``gunicorn scelle_designation.entrypoints.wsgi:app``."""

from scelle_designation.entrypoints.flask_app import create_app

app = create_app()
