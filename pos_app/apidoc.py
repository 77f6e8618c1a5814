"""Writes the endpoint table of docs/api.md from the OpenAPI document (`python -m pos_app.apidoc`).

Only the part between the markers is generated; the rest of docs/api.md is written by hand.
A test fails when the table is out of date.
"""

from __future__ import annotations

import sys

from pos_app.config import PROJECT_DIR

_METHOD_ORDER = ["get", "post", "put", "patch", "delete"]
START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"
API_MD = PROJECT_DIR / "docs" / "api.md"


def endpoint_table(document: dict) -> str:
    """A Markdown table of every operation: method, path, who may call it, what it does."""
    rows = ["| method | path | roles | what it does |", "|---|---|---|---|"]
    for path, operations in sorted(document["paths"].items()):
        for method in sorted(operations, key=_METHOD_ORDER.index):
            op = operations[method]
            roles = ", ".join(op.get("x-roles", [])) or "anyone"
            rows.append(f"| {method.upper()} | `{path}` | {roles} | {op['summary']} |")
    return "\n".join(rows)


def render(current: str, document: dict) -> str:
    """`current` with the generated table put between the markers."""
    head, _, rest = current.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{endpoint_table(document)}\n{END}{tail}"


def main() -> None:
    """Regenerate the table in docs/api.md."""
    from pos_app import create_app
    from pos_app.openapi import build_openapi

    app = create_app({"POS_DATABASE_URL": "sqlite://"})
    document = build_openapi(app.extensions["pos_api"], app.config["POS_VERSION"])
    API_MD.write_text(render(API_MD.read_text(encoding="utf-8"), document), encoding="utf-8")
    print(f"wrote {API_MD}", file=sys.stderr)


if __name__ == "__main__":
    main()
