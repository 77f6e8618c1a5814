"""Back-office resources: list, read, create, update and deactivate, each audited and outboxed.

A feature package describes a resource once (model, schema, roles, unique fields, references)
and `register_resource` adds its five endpoints. Nothing is ever deleted: DELETE deactivates,
so old orders and reports keep pointing at the thing they sold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from marshmallow import Schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.api import Api, Call, items
from pos_app.audit import record_audit
from pos_app.errors import Conflict, NotFound, ValidationFailed
from pos_app.locks import lock_key
from pos_app.outbox import record_event
from pos_app.schemas import query_flag


@dataclass
class Resource:
    """How one kind of back-office thing is exposed under /api/v1/<name>."""

    name: str  # URL segment, plural: "categories"
    kind: str  # audit and outbox target type, singular: "category"
    model: type
    schema: type[Schema]
    tag: str
    read_roles: frozenset
    write_roles: frozenset
    unique: tuple = ("name",)  # field names, or tuples of names unique together
    refs: dict = field(default_factory=dict)  # field -> referenced model
    query: type[Schema] | None = None  # list filters: each field filters its column
    before_save: Callable | None = None  # (session, actor, obj, data, is_new) -> None
    on_deactivate: Callable | None = None  # (session, actor, obj), before it is deactivated
    # (session, actor, obj, before) after a create, update or deactivation was flushed;
    # `before` is the row as the API showed it before (None for a create)
    after_save: Callable | None = None
    strong_auth: bool = False
    order_by: tuple = ("sort", "id")


class ActiveFilter(Schema):
    """List filter shared by every resource."""

    active = query_flag(metadata={"description": "only active (true) or inactive (false)"})


def register_resource(api: Api, res: Resource) -> None:
    """Add the five endpoints of `res` to `api`."""
    base, one = f"/{res.name}", f"/{res.name}/<int:obj_id>"
    common = {"tag": res.tag, "response": res.schema}
    writes = {**common, "roles": res.write_roles, "strong_auth": res.strong_auth}
    label = res.kind.replace("_", " ")
    api.add(
        base,
        "GET",
        _lister(res),
        roles=res.read_roles,
        query=res.query or ActiveFilter,
        many=True,
        summary=f"List {res.name.replace('-', ' ')}",
        **common,
    )
    api.add(one, "GET", _getter(res), roles=res.read_roles, summary=f"Get one {label}", **common)
    api.add(
        base,
        "POST",
        _creator(res),
        body=res.schema,
        status=201,
        summary=f"Create a {label}",
        **writes,
    )
    api.add(
        one,
        "PATCH",
        _updater(res),
        body=res.schema,
        partial=True,
        summary=f"Update a {label}",
        **writes,
    )
    api.add(
        one,
        "DELETE",
        _deactivator(res),
        summary=f"Deactivate a {label} (kept for history)",
        **writes,
    )


def get_or_404(session: Session, model: type, obj_id: int, kind: str):
    """The row with this id, or NotFound naming what was looked for."""
    obj = session.get(model, obj_id)
    if obj is None:
        raise NotFound(f"no {kind.replace('_', ' ')} with id {obj_id}")
    return obj


def _lister(res: Resource):
    def list_resource(call: Call):
        stmt = select(res.model)
        for name, value in call.query.items():
            stmt = stmt.where(getattr(res.model, name) == value)
        stmt = stmt.order_by(*(getattr(res.model, c) for c in res.order_by))
        return items(res.schema().dump(call.session.scalars(stmt), many=True))

    list_resource.__name__ = f"list_{res.kind}"
    return list_resource


def _getter(res: Resource):
    def get_resource(call: Call, obj_id: int):
        return res.schema().dump(get_or_404(call.session, res.model, obj_id, res.kind))

    get_resource.__name__ = f"get_{res.kind}"
    return get_resource


def _creator(res: Resource):
    def create_resource(call: Call):
        obj = res.model()
        _save(call, res, obj, call.body, is_new=True)
        after = res.schema().dump(obj)
        _record(call, res, obj, "created", None, after)
        if res.after_save:
            res.after_save(call.session, call.actor, obj, None)
        return after, 201

    create_resource.__name__ = f"create_{res.kind}"
    return create_resource


def _updater(res: Resource):
    def update_resource(call: Call, obj_id: int):
        obj = get_or_404(call.session, res.model, obj_id, res.kind)
        before = res.schema().dump(obj)
        _save(call, res, obj, call.body, is_new=False)
        after = res.schema().dump(obj)
        changed = {k: v for k, v in after.items() if before.get(k) != v and k != "updated_at"}
        if changed:
            old = {k: before.get(k) for k in changed}
            _record(call, res, obj, "updated", old, changed)
            if res.after_save:
                res.after_save(call.session, call.actor, obj, before)
        return after

    update_resource.__name__ = f"update_{res.kind}"
    return update_resource


def _deactivator(res: Resource):
    def deactivate_resource(call: Call, obj_id: int):
        obj = get_or_404(call.session, res.model, obj_id, res.kind)
        if obj.active:
            if res.on_deactivate:
                res.on_deactivate(call.session, call.actor, obj)
            before = res.schema().dump(obj)
            obj.active = False
            call.session.flush()
            _record(call, res, obj, "deactivated", {"active": True}, {"active": False})
            if res.after_save:
                res.after_save(call.session, call.actor, obj, before)
        return res.schema().dump(obj)

    deactivate_resource.__name__ = f"deactivate_{res.kind}"
    return deactivate_resource


def _save(call: Call, res: Resource, obj, data: dict, is_new: bool) -> None:
    data = dict(data)
    check_references(call.session, res.refs, data)
    if res.before_save:
        res.before_save(call.session, call.actor, obj, data, is_new)
    for key, value in data.items():
        setattr(obj, key, value)
    check_unique(call.session, res, obj)
    if is_new:
        call.session.add(obj)
    call.session.flush()


def check_references(session: Session, refs: dict, data: dict) -> None:
    """422 naming the field when a referenced id is unknown or deactivated."""
    problems = {}
    for name, model in refs.items():
        ref_id = data.get(name)
        if ref_id is None:
            continue
        target = session.get(model, ref_id)
        if target is None:
            problems[name] = [f"no {model.__tablename__.replace('_', ' ')} with id {ref_id}"]
        elif not getattr(target, "active", True):
            problems[name] = [f"{model.__tablename__.replace('_', ' ')} {ref_id} is deactivated"]
    if problems:
        raise ValidationFailed("some references are not valid", problems, "unknown_reference")


def check_unique(session: Session, res: Resource, obj) -> None:
    """409 when another row already has the same value(s) for a unique field (case-insensitive)."""
    for spec in res.unique:
        names = (spec,) if isinstance(spec, str) else spec
        values = [getattr(obj, n) for n in names]
        if any(v is None for v in values):
            continue
        # Twins creating one name queue here, so the second gets this 409, not the index's.
        lock_key(session, "unique", res.kind, *[str(v).lower() for v in values])
        stmt = select(res.model.id)
        for name, value in zip(names, values, strict=True):
            column = getattr(res.model, name)
            stmt = stmt.where(
                func.lower(column) == value.lower() if isinstance(value, str) else column == value
            )
        if obj.id is not None:
            stmt = stmt.where(res.model.id != obj.id)
        with session.no_autoflush:  # the change itself would flush first and hit the index
            taken = session.scalar(stmt.limit(1)) is not None
        if taken:
            shown = " / ".join(str(v) for v in values)
            raise Conflict(
                f"a {res.kind.replace('_', ' ')} with {' and '.join(names)} '{shown}' exists",
                {names[-1]: ["already in use"]},
                "duplicate",
            )


def _record(call: Call, res: Resource, obj, verb: str, before, after) -> None:
    action = f"{res.kind}.{verb}"
    record_audit(call.session, call.actor, action, res.kind, obj.id, before, after)
    record_event(call.session, action, res.kind, obj.id, res.schema().dump(obj))
