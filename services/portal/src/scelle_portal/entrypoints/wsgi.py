"""gunicorn entrypoint: ``gunicorn scelle_portal.entrypoints.wsgi:app``."""

from scelle_portal.entrypoints.flask_app import create_app

app = create_app()
