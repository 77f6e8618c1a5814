"""Health check and the OpenAPI document."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from pos_app.api import PUBLIC, Api, Call
from pos_app.db import session as db_session
from pos_app.openapi import build_openapi


def healthz(call: Call):
    """Liveness and readiness: status, mode, database kind, schema revision and version.

    `descriptors` tells the file descriptors in use, the limit, from how many new Socket.IO
    connections are refused, and whether they are refused now (pos_app/descriptors.py).
    """
    engine = db_session.get_bind()
    body = {
        "status": "ok",
        "mode": current_app.config["POS_MODE"],
        "database": engine.dialect.name,
        "version": current_app.config["POS_VERSION"],
        "descriptors": current_app.extensions["pos_descriptors"].pressure().as_dict(),
    }
    try:
        call.session.execute(text("SELECT 1"))
        body["schema_revision"] = call.session.scalar(
            text("SELECT version_num FROM alembic_version")
        )
    except SQLAlchemyError as err:
        body.update(status="error", error=str(err.__class__.__name__))
        return jsonify(body), 503
    return body


def openapi_document(call: Call):
    """This document: every endpoint of the server, as OpenAPI 3."""
    return build_openapi(current_app.extensions["pos_api"], current_app.config["POS_VERSION"])


def register(api: Api) -> None:
    """Add /healthz and /api/v1/openapi.json."""
    api.add("/healthz", "GET", healthz, roles=PUBLIC, tag="meta", prefix="")
    api.add("/openapi.json", "GET", openapi_document, roles=PUBLIC, tag="meta")
