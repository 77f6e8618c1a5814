"""Set-up of a project database for bench/order_to_kds.py, run INSIDE the checkout measured.

Run as `python -c "$(cat bench/project_setup.py)" WAITERS COOK_PIN` with the checkout as the
working directory (so `pos_app` is that checkout's) and the benchmark's environment (its
database, its secret key). Through the checkout's own CLI and API in a Flask test client, no
server: adds waiters until there are WAITERS (one per handheld: an order's `order_updated`
goes to its waiter's devices, and a real floor has one handheld per waiter, not 25), logs each
in and the cook, and prints one JSON line: the waiters' tokens, the cook's, the stations and the
handhelds' menu. Tokens live in the database: the server started afterwards accepts them.
"""

import json
import sys

from pos_app import create_app

DEMO_WAITER_PINS = ("1111", "1112")
FIRST_PIN = 730001  # six digits, far from the demo's


def main() -> None:
    waiters, cook_pin = int(sys.argv[1]), sys.argv[2]
    app = create_app()
    runner, client = app.test_cli_runner(), app.test_client()
    pins = list(DEMO_WAITER_PINS[:waiters])
    for i in range(waiters - len(pins)):
        pin = str(FIRST_PIN + i)
        args = ["pos", "create-staff", "--name", f"Bench waiter {i + 1}", "--role", "waiter"]
        done = runner.invoke(args=[*args, "--pin", pin])
        if done.exit_code != 0:
            raise SystemExit(f"create-staff failed: {done.output}")
        pins.append(pin)

    def login(pin: str) -> str:
        answer = client.post("/api/v1/auth/login", json={"pin": pin})
        if answer.status_code != 200:
            raise SystemExit(f"login failed: {answer.status_code} {answer.get_data(as_text=True)}")
        return answer.get_json()["token"]

    def get(path: str, token: str):
        return client.get(path, headers={"Authorization": f"Bearer {token}"}).get_json()

    tokens = [login(pin) for pin in pins]
    cook = login(cook_pin)
    print(
        json.dumps(
            {
                "waiter_tokens": tokens,
                "cook_token": cook,
                "stations": get("/api/v1/stations", cook)["items"],
                "menu": get("/api/v1/menu", tokens[0]),
            }
        )
    )


if __name__ == "__main__":  # python -c sets it too
    main()
