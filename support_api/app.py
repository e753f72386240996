"""The application factory: `create_app(settings)`."""

from __future__ import annotations

from flask import Flask

from support_api import postgrest
from support_api.access_log import install_access_log
from support_api.board_routes import bp as board_bp
from support_api.board_routes import feedback_bp as board_feedback_bp
from support_api.client_routes import bp as clients_bp
from support_api.client_routes import me_bp
from support_api.companion.route import bp as companion_bp
from support_api.cors import install_cors
from support_api.errors import register_error_handlers
from support_api.export_routes import bp as staff_bp
from support_api.health import bp as health_bp
from support_api.help_pages import bp as help_pages_bp
from support_api.notification_routes import bp as notifications_bp
from support_api.openapi import bp as openapi_bp
from support_api.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """A Flask app for `settings` (default: read from the environment and `.env`)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["SUPPORT_API_SETTINGS"] = settings
    app.json.sort_keys = False  # type: ignore[attr-defined]
    install_access_log(app)
    install_cors(app)
    register_error_handlers(app)
    postgrest.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(clients_bp)
    app.register_blueprint(me_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(board_feedback_bp)
    app.register_blueprint(companion_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(help_pages_bp)
    return app
