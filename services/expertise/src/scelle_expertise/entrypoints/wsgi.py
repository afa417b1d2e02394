"""gunicorn entrypoint: ``gunicorn scelle_expertise.entrypoints.wsgi:app``."""

from scelle_expertise.entrypoints.flask_app import create_app

app = create_app()
