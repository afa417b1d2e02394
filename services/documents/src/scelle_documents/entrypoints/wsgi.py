"""gunicorn entrypoint: ``gunicorn scelle_documents.entrypoints.wsgi:app``."""

from scelle_documents.entrypoints.flask_app import create_app

app = create_app()
