"""Orders through the API on the demo restaurant: idempotency, versions, routing and deltas."""

import uuid

import pytest
from sqlalchemy import select

from kds.models import KitchenTicket
from pos_app.menu.models import MenuItem, Modifier, Station
from table_service.models import DiningTable


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def menu(demo, db):
    """Ids of demo items, modifiers, stations and tables by English name."""
    return menu_ids(db)


def menu_ids(db) -> dict:
    """Ids of the loaded demo's items, modifiers, stations and tables by English name."""
    with db(write=False) as s:
        return {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "mods": {m.name: m.id for m in s.scalars(select(Modifier))},
            "stations": {st.code: st.id for st in s.scalars(select(Station))},
            "tables": {t.label: t.id for t in s.scalars(select(DiningTable))},
        }


@pytest.fixture
def waiter(auth):
    return auth("waiter")


def line(menu, name, qty=1, mods=(), **kw):
    return {
        "id": new_id(),
        "item_id": menu["items"][name],
        "quantity": qty,
        "modifier_ids": [menu["mods"][m] for m in mods],
        **kw,
    }


def dine_in(menu, table="4", lines=(), fire=False, **kw):
    return {
        "id": new_id(),
        "type": "dine_in",
        "table_id": menu["tables"][table],
        "guests": 2,
        "lines": list(lines),
        "fire": fire,
        **kw,
    }


def tickets(db, station_id=None):
    with db(write=False) as s:
        stmt = select(KitchenTicket).order_by(KitchenTicket.id)
        if station_id:
            stmt = stmt.where(KitchenTicket.station_id == station_id)
        return [
            (
                t.station_id,
                t.is_expo,
                t.held,
                t.is_change,
                [(li.kind, li.quantity, li.name) for li in t.lines],
            )
            for t in s.scalars(stmt)
        ]


def test_duplicate_post_creates_one_order(client, menu, waiter, db):
    body = dine_in(menu, lines=[line(menu, "Hummus")], fire=True)
    first = client.post("/api/v1/orders", json=body, headers=waiter)
    again = client.post("/api/v1/orders", json=body, headers=waiter)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.get_json()["version"] == first.get_json()["version"]
    assert len(tickets(db)) == 2  # one cold ticket + one expo ticket, not four


def test_firing_routes_each_line_to_its_station_and_expo_sees_all(client, menu, waiter, db):
    body = dine_in(
        menu,
        fire=True,
        lines=[
            line(menu, "Hummus"),
            line(menu, "Falafel (6 pieces)", 2),
            line(menu, "Fresh orange juice"),
        ],
    )
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    assert order["status"] == "in_kitchen"
    st = menu["stations"]
    cold, fry, expo = tickets(db, st["cold"]), tickets(db, st["fry"]), tickets(db, st["expo"])
    assert [t[4] for t in fry] == [[("add", 2, "Falafel (6 pieces)")]]  # item override: fry
    assert ("add", 1, "Hummus") in cold[0][4]  # category default: cold
    assert [t[4] for t in tickets(db, st["bar"])] == [[("add", 1, "Fresh orange juice")]]
    # Expo: one card for the order's starters, the drinks going out with them.
    assert sorted(len(t[4]) for t in expo) == [3]


def test_later_courses_are_held_until_fired(client, menu, waiter, db):
    body = dine_in(
        menu,
        fire=True,
        lines=[line(menu, "Hummus"), line(menu, "Shish tawook", mods=["French fries"])],
    )
    order = client.post("/api/v1/orders", json=body, headers=waiter).get_json()
    grill = menu["stations"]["grill"]
    assert [t[2] for t in tickets(db, grill)] == [True]  # mains (course 2) held
    fired = client.post(
        f"/api/v1/orders/{order['id']}/fire",
        json={"version": order["version"], "course": 2},
        headers=waiter,
    )
    assert fired.status_code == 200
    assert [t[2] for t in tickets(db, grill)] == [False]


def test_an_edit_after_firing_sends_only_the_difference(client, menu, waiter, db):
    hummus = line(menu, "Hummus", 2)
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[hummus], fire=True), headers=waiter
    ).get_json()
    changed = client.patch(
        f"/api/v1/orders/{order['id']}/lines/{hummus['id']}",
        json={"version": order["version"], "quantity": 3},
        headers=waiter,
    )
    assert changed.status_code == 200, changed.get_json()
    refired = client.post(
        f"/api/v1/orders/{order['id']}/fire",
        json={"version": changed.get_json()["version"]},
        headers=waiter,
    )
    assert refired.status_code == 200
    cold = tickets(db, menu["stations"]["cold"])
    assert [t[4] for t in cold] == [[("add", 2, "Hummus")], [("add", 1, "Hummus")]]
    assert cold[1][3] is True  # marked as a change


def test_voiding_a_fired_line_strikes_it_on_the_screen_and_is_audited(client, menu, waiter, db):
    from kds.models import KitchenTicketLine
    from pos_app.audit import AuditEntry

    hummus = line(menu, "Hummus", 2)
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[hummus], fire=True), headers=waiter
    ).get_json()
    voided = client.post(
        f"/api/v1/orders/{order['id']}/lines/{hummus['id']}/void",
        json={"version": order["version"], "quantity": 1, "reason": "guest changed mind"},
        headers=waiter,
    )
    assert voided.status_code == 200, voided.get_json()
    with db(write=False) as s:
        rows = s.scalars(select(KitchenTicketLine)).all()
        assert {(r.quantity, r.voided_quantity, r.void_reason) for r in rows} == {
            (2, 1, "guest changed mind")
        }
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "order_line.voided"))
        assert entry.reason == "guest changed mind" and entry.after["quantity"] == 1


def test_a_stale_edit_gets_409_with_the_current_order(client, menu, auth):
    first, second = auth("waiter"), auth("waiter")
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[line(menu, "Hummus")]), headers=first
    ).get_json()
    ok = client.post(
        f"/api/v1/orders/{order['id']}/lines",
        json={"version": order["version"], "lines": [line(menu, "Tabbouleh")]},
        headers=first,
    )
    assert ok.status_code == 200
    stale = client.post(
        f"/api/v1/orders/{order['id']}/lines",
        json={"version": order["version"], "lines": [line(menu, "Fattoush")]},
        headers=second,
    )
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version"
    assert [li["name"] for li in error["current"]["lines"]] == ["Hummus", "Tabbouleh"]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"quantity": 0}, "lines"),
        ({"quantity": -1}, "lines"),
        ({"quantity": 1000}, "lines"),
        ({"item_id": 999999}, "lines.0.item_id"),
        ({"modifier_ids": []}, "lines.0.modifier_ids"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(client, menu, waiter, db, bad, field):
    body = dine_in(menu, lines=[{**line(menu, "Shish tawook", mods=["French fries"]), **bad}])
    response = client.post("/api/v1/orders", json=body, headers=waiter)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/orders", headers=waiter).get_json()["items"] == []


def test_kitchen_cannot_create_orders_and_a_taken_table_is_409(client, menu, auth, waiter):
    body = dine_in(menu, lines=[line(menu, "Hummus")])
    assert client.post("/api/v1/orders", json=body, headers=auth("kitchen")).status_code == 403
    assert client.post("/api/v1/orders", json=body, headers=waiter).status_code == 201
    other = dine_in(menu, lines=[line(menu, "Hummus")])
    taken = client.post("/api/v1/orders", json=other, headers=waiter)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "table_taken"


def test_a_table_is_never_seated_unchecked_when_nothing_provides_the_claim_table_port(
    client, menu, waiter, monkeypatch
):
    from pos_app import ports

    monkeypatch.setattr(ports.claim_table, "_provider", None)  # table_service not wired
    response = client.post("/api/v1/orders", json=dine_in(menu), headers=waiter)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    takeaway = {"id": new_id(), "type": "takeaway", "customer_name": "Ali", "lines": []}
    assert client.post("/api/v1/orders", json=takeaway, headers=waiter).status_code == 201
    with pytest.raises(ports.PortMissing, match="claim_table"):
        ports.claim_table(None, 1)


def test_expo_bump_makes_the_order_ready_and_the_table_ready(client, menu, waiter, auth, db):
    order = client.post(
        "/api/v1/orders",
        json=dine_in(menu, lines=[line(menu, "Hummus")], fire=True),
        headers=waiter,
    ).get_json()
    cook = auth("kitchen")
    st = menu["stations"]
    cold = client.get(f"/api/v1/stations/{st['cold']}/snapshot", headers=cook).get_json()
    ticket = cold["tickets"][0]
    assert cold["all_day"] == [{"name": "Hummus", "name_ar": "حمص", "count": 1}]
    assert client.post(f"/api/v1/tickets/{ticket['id']}/bump", headers=cook).status_code == 200
    expo = client.get(f"/api/v1/stations/{st['expo']}/snapshot", headers=cook).get_json()
    assert expo["tickets"][0]["parts"] == [
        {"ticket_id": ticket["id"], "station_id": st["cold"], "status": "done"}
    ]
    assert expo["tickets"][0]["complete"] is True
    bumped = client.post(f"/api/v1/tickets/{expo['tickets'][0]['id']}/bump", headers=cook)
    assert bumped.status_code == 200
    now = client.get(f"/api/v1/orders/{order['id']}", headers=waiter).get_json()
    assert now["status"] == "ready"
    table = client.get(f"/api/v1/tables/{menu['tables']['4']}", headers=waiter).get_json()
    assert table["status"] == "ready"
    assert client.post(f"/api/v1/tickets/{ticket['id']}/bump", headers=waiter).status_code == 403


def post(client, url, headers, **body):
    response = client.post(url, json=body, headers=headers)
    return response.status_code, response.get_json()


def test_moving_an_order_frees_the_old_table_and_takes_the_new_one(client, menu, waiter):
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, "4", [line(menu, "Hummus")]), headers=waiter
    ).get_json()
    status, moved = post(
        client,
        f"/api/v1/orders/{order['id']}/move",
        waiter,
        version=order["version"],
        table_id=menu["tables"]["5"],
    )
    assert status == 200 and moved["table_label"] == "5"
    tables = {
        t["label"]: t for t in client.get("/api/v1/tables", headers=waiter).get_json()["items"]
    }
    assert tables["4"]["status"] == "free" and tables["4"]["order_id"] is None
    assert tables["5"]["status"] == "seated" and tables["5"]["order_id"] == order["id"]


def test_merging_moves_the_lines_and_leaves_the_other_table_to_clear(client, menu, waiter):
    a = client.post(
        "/api/v1/orders", json=dine_in(menu, "1", [line(menu, "Hummus")], fire=True), headers=waiter
    ).get_json()
    b = client.post(
        "/api/v1/orders",
        json=dine_in(menu, "2", [line(menu, "Tabbouleh")], fire=True),
        headers=waiter,
    ).get_json()
    status, merged = post(
        client,
        f"/api/v1/orders/{a['id']}/merge",
        waiter,
        version=a["version"],
        from_order_id=b["id"],
        from_version=b["version"],
    )
    assert status == 200
    assert [li["name"] for li in merged["lines"]] == ["Hummus", "Tabbouleh"]
    assert merged["guests"] == 4
    gone = client.get(f"/api/v1/orders/{b['id']}", headers=waiter).get_json()
    assert gone["status"] == "closed" and gone["lines"] == []
    table2 = client.get(f"/api/v1/tables/{menu['tables']['2']}", headers=waiter).get_json()
    assert table2["status"] == "dirty"
    status, _ = post(client, f"/api/v1/tables/{menu['tables']['2']}/status", waiter, status="free")
    assert status == 200


def test_moving_lines_between_orders_keeps_the_kitchen_state(client, menu, waiter):
    hummus = line(menu, "Hummus")
    a = client.post(
        "/api/v1/orders",
        json=dine_in(menu, "1", [hummus, line(menu, "Fattoush")], fire=True),
        headers=waiter,
    ).get_json()
    b = client.post("/api/v1/orders", json=dine_in(menu, "2"), headers=waiter).get_json()
    status, body = post(
        client,
        f"/api/v1/orders/{a['id']}/move-lines",
        waiter,
        version=a["version"],
        line_ids=[hummus["id"]],
        to_order_id=b["id"],
        to_version=b["version"],
    )
    assert status == 200, body
    assert [li["name"] for li in body["source"]["lines"]] == ["Fattoush"]
    moved = body["target"]["lines"][0]
    assert moved["name"] == "Hummus" and moved["sent_quantity"] == 1
    assert body["target"]["pending_changes"] is False  # nothing is cooked twice


def test_cancelling_needs_a_reason_voids_the_screens_and_frees_the_table(client, menu, waiter, db):
    from kds.models import KitchenTicketLine
    from pos_app.audit import AuditEntry

    order = client.post(
        "/api/v1/orders", json=dine_in(menu, "3", [line(menu, "Hummus")], fire=True), headers=waiter
    ).get_json()
    status, body = post(
        client, f"/api/v1/orders/{order['id']}/cancel", waiter, version=order["version"]
    )
    assert status == 422 and "reason" in body["error"]["fields"]
    status, body = post(
        client,
        f"/api/v1/orders/{order['id']}/cancel",
        waiter,
        version=order["version"],
        reason="guest left",
    )
    assert status == 200 and body["status"] == "cancelled"
    with db(write=False) as s:
        assert {r.voided_quantity for r in s.scalars(select(KitchenTicketLine))} == {1}
        assert (
            s.scalar(select(AuditEntry.reason).where(AuditEntry.action == "order.cancelled"))
            == "guest left"
        )
    table = client.get(f"/api/v1/tables/{menu['tables']['3']}", headers=waiter).get_json()
    assert table["status"] == "free"
    status, body = post(
        client, f"/api/v1/orders/{order['id']}/fire", waiter, version=body["version"]
    )
    assert status == 409 and body["error"]["code"] == "order_closed"


def test_takeaway_and_delivery_orders_need_their_customer_details(client, menu, waiter):
    base = {"id": new_id(), "lines": [line(menu, "Hummus")]}
    status, body = post(
        client, "/api/v1/orders", waiter, **base, type="delivery", customer_name="Ali"
    )
    assert status == 422
    assert set(body["error"]["fields"]) >= {"customer_phone"}
    status, body = post(
        client, "/api/v1/orders", waiter, **base, type="takeaway", table_id=menu["tables"]["1"]
    )
    assert status == 422 and "table_id" in body["error"]["fields"]
    status, body = post(
        client,
        "/api/v1/orders",
        waiter,
        **base,
        type="delivery",
        customer_name="Ali",
        customer_phone="+966 55 123 4567",
        customer_address="Olaya St 12",
        fire=True,
    )
    assert status == 201 and body["status"] == "in_kitchen" and body["table_id"] is None


def test_order_numbers_count_up_per_business_day(client, menu, waiter):
    numbers = [
        client.post(
            "/api/v1/orders",
            json={"id": new_id(), "type": "takeaway", "customer_name": f"G{n}", "lines": []},
            headers=waiter,
        ).get_json()["number"]
        for n in range(3)
    ]
    assert numbers == [1, 2, 3]


def test_an_unavailable_item_cannot_be_ordered(client, menu, waiter, auth):
    manager = auth("manager")
    client.patch(
        f"/api/v1/items/{menu['items']['Hummus']}", json={"available": False}, headers=manager
    )
    status, body = post(
        client, "/api/v1/orders", waiter, **dine_in(menu, lines=[line(menu, "Hummus")])
    )
    assert status == 409 and "not available" in body["error"]["message"]
    assert body["error"]["code"] == "sold_out"


def test_stagger_delays_the_quicker_station_so_a_course_finishes_together(client, menu, waiter, db):
    body = dine_in(
        menu,
        fire=True,
        stagger=True,
        lines=[
            line(menu, "Mixed grill", mods=["French fries"], course=1),  # 18 min, grill
            line(menu, "Hummus", course=1),
        ],
    )  # 3 min, cold
    client.post("/api/v1/orders", json=body, headers=waiter)
    with db(write=False) as s:
        rows = {t.station_id: t for t in s.scalars(select(KitchenTicket))}
        grill, cold = rows[menu["stations"]["grill"]], rows[menu["stations"]["cold"]]
        assert grill.start_at is None
        assert round((cold.start_at - cold.fired_at).total_seconds() / 60) == 15


def test_a_retried_fire_changes_nothing(client, menu, waiter, db):
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[line(menu, "Hummus")]), headers=waiter
    ).get_json()
    first = post(client, f"/api/v1/orders/{order['id']}/fire", waiter, version=order["version"])
    assert first[0] == 200
    again = post(client, f"/api/v1/orders/{order['id']}/fire", waiter, version=first[1]["version"])
    assert again[0] == 200 and again[1]["version"] == first[1]["version"]
    assert len(tickets(db)) == 2


def test_a_command_retried_with_its_idempotency_key_is_done_once(client, menu, waiter, db):
    from pos_app.audit import AuditEntry

    hummus = line(menu, "Hummus", 3)
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[hummus], fire=True), headers=waiter
    ).get_json()
    url = f"/api/v1/orders/{order['id']}/lines/{hummus['id']}/void"
    body = {"version": order["version"], "quantity": 1, "reason": "dropped on the floor"}
    headers = {**waiter, "Idempotency-Key": "void-" + new_id()}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)  # the answer was lost on the Wi-Fi
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.get_json()["lines"][0]["quantity"] == 2
    with db(write=False) as s:
        voids = s.scalars(select(AuditEntry).where(AuditEntry.action == "order_line.voided"))
        assert len(list(voids)) == 1
    other = client.post(f"/api/v1/orders/{order['id']}/fire", json={"version": 99}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["error"]["fields"]


def test_concurrent_orders_get_unique_numbers_and_gapless_station_sequences(app, menu, auth, db):
    from concurrent.futures import ThreadPoolExecutor

    from kds.models import KdsEvent

    headers = [auth("waiter") for _ in range(4)]
    names = ["Hummus", "Falafel (6 pieces)", "Fresh orange juice", "Fattoush"]

    def take_orders(n):
        client = app.test_client()
        made = []
        for i in range(5):
            body = {
                "id": new_id(),
                "type": "takeaway",
                "customer_name": f"G{n}-{i}",
                "fire": True,
                "lines": [line(menu, names[(n + i) % 4]), line(menu, names[(n + i + 1) % 4])],
            }
            response = client.post("/api/v1/orders", json=body, headers=headers[n])
            assert response.status_code == 201, response.get_json()
            made.append(response.get_json()["number"])
        return made

    with ThreadPoolExecutor(4) as pool:
        numbers = [n for batch in pool.map(take_orders, range(4)) for n in batch]
    assert sorted(numbers) == list(range(1, 21))
    with db(write=False) as s:
        by_station: dict[int, list[int]] = {}
        for event in s.scalars(select(KdsEvent).order_by(KdsEvent.seq)):
            by_station.setdefault(event.station_id, []).append(event.seq)
    for seqs in by_station.values():
        assert seqs == list(range(1, len(seqs) + 1))


def test_only_food_sent_to_the_kitchen_can_be_handed_over(client, menu, waiter):
    order = client.post(
        "/api/v1/orders", json=dine_in(menu, lines=[line(menu, "Hummus")]), headers=waiter
    ).get_json()
    status, body = post(
        client, f"/api/v1/orders/{order['id']}/hand-over", waiter, version=order["version"]
    )
    assert status == 409 and body["error"]["code"] == "not_in_kitchen"
    status, fired = post(
        client, f"/api/v1/orders/{order['id']}/fire", waiter, version=order["version"]
    )
    status, served = post(
        client, f"/api/v1/orders/{order['id']}/hand-over", waiter, version=fired["version"]
    )
    assert status == 200 and served["status"] == "served"


def test_kitchen_groups_never_send_food_to_expo_and_fall_back_to_the_first_station():
    from types import SimpleNamespace

    from pos_app.orders.routing import kitchen_groups

    stations = [
        SimpleNamespace(id=5, is_expo=True),
        SimpleNamespace(id=2, is_expo=False),
        SimpleNamespace(id=1, is_expo=False),
    ]
    deltas = [
        SimpleNamespace(line=SimpleNamespace(station_id=1, course=2)),
        SimpleNamespace(line=SimpleNamespace(station_id=5, course=1)),
        SimpleNamespace(line=SimpleNamespace(station_id=99, course=1)),
    ]
    groups = kitchen_groups(deltas, stations)
    assert list(groups) == [(1, 2), (2, 1)]  # sorted; expo and unknown go to station 2
    assert len(groups[(2, 1)]) == 2


def test_one_kitchen_send_carries_what_the_screens_and_the_paper_both_show():
    from types import SimpleNamespace as Fake

    from pos_app.orders.routing import LineDelta, kitchen_send

    stations = [
        Fake(id=5, is_expo=True, code="expo", name="Expo", name_ar=""),
        Fake(id=1, is_expo=False, code="grill", name="Grill", name_ar="الشواية"),
        Fake(id=2, is_expo=False, code="cold", name="Cold", name_ar=""),
    ]

    def order_line(line_id, station_id, course, prep):
        return Fake(
            id=line_id,
            station_id=station_id,
            course=course,
            prep_minutes=prep,
            name=f"item {line_id}",
            name_ar=f"صنف {line_id}",
            modifiers=[{"id": 3, "name": "No onion"}],
            note="",
            allergy="nuts" if line_id == "b" else "",
            seat=2,
        )

    steak, salad, cake = (
        order_line("a", 1, 1, 12),
        order_line("b", 2, 1, 4),
        order_line("c", 2, 2, 0),
    )
    order = Fake(
        id="o1",
        released_course=1,
        number=7,
        type=Fake(value="dine_in"),
        table_label="4",
        waiter_name="Sara",
        customer_name="",
        guests=2,
        notes="",
        rush=False,
    )
    deltas = [
        LineDelta(steak, "add", 2, False),
        LineDelta(salad, "void", 1, True),
        LineDelta(cake, "add", 1, False),
    ]
    send = kitchen_send(order, deltas, stations, stagger=True, reason="too cold")

    assert [line.order_line_id for line in send.lines] == ["a", "b", "c"]  # the order's order
    assert [(g.station_id, g.course, g.held) for g in send.groups] == [
        (1, 1, False),
        (2, 1, False),
        (2, 2, True),  # above the released course: shown, not started
    ]
    grill, cold, later = send.groups
    assert grill.station_name_ar == "الشواية" and grill.lines == send.lines[:1]
    assert cold.is_change and not grill.is_change
    # Cold cooks only the cake (0 min; a void cooks nothing): it waits the grill's 12.
    assert [line.wait_min for line in send.lines] == [0, 12, 12]
    void = cold.lines[0].said()
    assert void["kind"] == "void" and void["void_reason"] == "too cold"
    assert void["allergy"] == "nuts" and void["seat"] == 2
    assert void["modifiers"] == [{"id": 3, "name": "No onion"}]  # JSON-ready lists
    assert grill.lines[0].said()["void_reason"] == ""
    assert send.header["number"] == 7 and send.header["table"] == "4"
