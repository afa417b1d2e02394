"""gunicorn entrypoint: ``gunicorn scelle_billing.entrypoints.wsgi:app``."""

from scelle_billing.entrypoints.flask_app import create_app

app = create_app()
