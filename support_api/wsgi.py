"""WSGI entry point: `gunicorn support_api.wsgi:app` (settings read once, at import)."""

from support_api.app import create_app

app = create_app()
