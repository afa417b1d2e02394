"""gunicorn entrypoint: ``gunicorn scelle_identity.entrypoints.wsgi:app``."""

from scelle_identity.entrypoints.flask_app import create_app

app = create_app()
