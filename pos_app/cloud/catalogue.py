"""The menu managed in the cloud for every branch of an organisation, pulled down by each
branch, versioned (issue 19).

Who owns what: the cloud owns the menu it publishes (the dishes, their names in both
languages, prices, sections, stations, courses, availability: the columns of the menu CSV,
pos_app/menu/csv_io.py); the branch owns what happens in the shop (orders, bills, tickets,
its printers and floor, and whatever the file leaves out: options, promotions, staff). A new
version overwrites at a branch the values its file gives, and nothing else.

- `PUT /api/v1/cloud/organisations/{id}/catalogue` (an owner or manager of the cloud with the
  whole organisation, signed in with the password): a new version of the menu file; refused
  (422, nothing kept) when the file cannot be read. `GET` the newest.
- `POST /api/v1/sync/catalogue/fetch` (signed by a branch): the newest version of its
  organisation's menu when it is newer than the one the branch has.
- The branch (pos_app/cloud/pull.py) asks every POS_CLOUD_PULL_SECONDS and applies a new
  version in one transaction with the menu import, whole or not at all: a version with a row
  this branch cannot take (a station it does not have) is not applied, the reason shown on
  the branch's home, its menu as it was. An order is never touched: its lines keep the name
  and price they were taken with, so a new version never changes or loses a sale.
"""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from pos_app.api import PUBLIC, Api, Call
from pos_app.audit import record_audit
from pos_app.auth.roles import BACK_OFFICE
from pos_app.cloud.ingest import CODE, signed_by
from pos_app.cloud.models import CloudAccess, CloudCatalogue, CloudOrganisation
from pos_app.errors import Forbidden, NotFound
from pos_app.locks import lock_key
from pos_app.menu import csv_io
from pos_app.schemas import UUID_PATTERN, FullMatch

MAX_CSV = 1_000_000


class PublishSchema(Schema):
    csv = fields.String(
        required=True,
        validate=validate.Length(1, MAX_CSV),
        metadata={"description": "the menu file (the menu export's columns), header row first"},
    )


class CatalogueOutSchema(Schema):
    organisation = fields.String()
    version = fields.Integer()
    rows = fields.Integer(metadata={"description": "dishes in the file"})
    published_at = fields.DateTime()
    published_by = fields.String()
    csv = fields.String()


class FetchCatalogueSchema(Schema):
    branch = fields.String(required=True, validate=CODE)
    nonce = fields.String(required=True, validate=FullMatch(UUID_PATTERN))
    have = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "the version the branch applied (0: none)"},
    )


class FetchedCatalogueSchema(Schema):
    version = fields.Integer(
        metadata={"description": "the newest version (the branch's own when not newer)"}
    )
    csv = fields.String(allow_none=True, metadata={"description": "the file, when newer"})


def _cloud_only() -> None:
    if current_app.config["POS_MODE"] != "cloud":
        raise NotFound("this server is a branch; the cloud keeps the organisations' menus")


def _organisation(call: Call, organisation_id: int) -> CloudOrganisation:
    """The organisation if the caller has all of it; 403 alike for unknown and not theirs."""
    org = call.session.get(CloudOrganisation, organisation_id)
    whole = org is not None and call.session.scalar(
        select(CloudAccess.id).where(
            CloudAccess.staff_id == call.actor.staff_id,
            CloudAccess.organisation_id == org.id,
            CloudAccess.branch_id.is_(None),
        )
    )
    if not whole:
        raise Forbidden(
            "you do not have every branch of this organisation", code="not_your_organisation"
        )
    return org


def newest(session, organisation_id: int) -> CloudCatalogue | None:
    return session.scalar(
        select(CloudCatalogue)
        .where(CloudCatalogue.organisation_id == organisation_id)
        .order_by(CloudCatalogue.version.desc())
        .limit(1)
    )


def publish(session, org: CloudOrganisation, text: str, actor) -> CloudCatalogue:
    """A new version of the organisation's menu (the file read first: 422 if it cannot be)."""
    rows = csv_io.read_rows(text)
    lock_key(session, "cloud-catalogue", org.id)  # two publishers get two versions, in turn
    last = session.scalar(
        select(func.max(CloudCatalogue.version)).where(CloudCatalogue.organisation_id == org.id)
    )
    row = CloudCatalogue(
        organisation_id=org.id,
        version=(last or 0) + 1,
        csv=text,
        rows=len(rows),
        published_by=actor.name if actor else "",
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        actor,
        "catalogue.published",
        "organisation",
        org.id,
        None,
        {"version": row.version, "rows": row.rows},
    )
    return row


def _out(org: CloudOrganisation, row: CloudCatalogue) -> dict:
    return CatalogueOutSchema().dump(
        {
            "organisation": org.name,
            "version": row.version,
            "rows": row.rows,
            "published_at": row.published_at,
            "published_by": row.published_by,
            "csv": row.csv,
        }
    )


def put_catalogue(call: Call, organisation_id: int):
    """Publish a new version of the organisation's menu for all its branches."""
    _cloud_only()
    org = _organisation(call, organisation_id)
    return _out(org, publish(call.session, org, call.body["csv"], call.actor))


def get_catalogue(call: Call, organisation_id: int):
    """The newest version of the organisation's menu."""
    _cloud_only()
    org = _organisation(call, organisation_id)
    row = newest(call.session, org.id)
    if row is None:
        raise NotFound("no menu was published for this organisation yet", code="no_catalogue")
    return _out(org, row)


def fetch_catalogue(call: Call):
    """The newest menu of the branch's organisation, when newer than the branch's."""
    branch = signed_by(call)
    row = newest(call.session, branch.organisation_id) if branch.organisation_id else None
    have = call.body["have"]
    if row is None or row.version <= have:
        return {"version": row.version if row else 0, "csv": None}
    return {"version": row.version, "csv": row.csv}


def register(api: Api) -> None:
    rule = "/cloud/organisations/<int:organisation_id>/catalogue"
    api.add(
        rule,
        "PUT",
        put_catalogue,
        roles=BACK_OFFICE,
        tag="sync",
        body=PublishSchema,
        response=CatalogueOutSchema,
        strong_auth=True,
        errors=(403, 404),
    )
    api.add(rule, "GET", get_catalogue, roles=BACK_OFFICE, tag="sync", response=CatalogueOutSchema)
    api.add(
        "/sync/catalogue/fetch",
        "POST",
        fetch_catalogue,
        roles=PUBLIC,  # signed with the branch's key
        tag="sync",
        body=FetchCatalogueSchema,
        response=FetchedCatalogueSchema,
        keeps_answers=False,
        errors=(401, 404, 409),
        description="Cloud mode only. Signed like a push (X-Pos-Branch, X-Pos-Time,"
        " X-Pos-Signature).",
    )
