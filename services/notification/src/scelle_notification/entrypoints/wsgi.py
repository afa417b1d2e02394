"""gunicorn entrypoint: ``gunicorn scelle_notification.entrypoints.wsgi:app``."""

from scelle_notification.entrypoints.flask_app import create_app

app = create_app()
