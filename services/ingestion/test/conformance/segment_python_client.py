"""Sends every Segment call type with segment-analytics-python, unchanged, to the host given.

Used by segment-libraries.int-spec.ts: prints one JSON line {"errors": [...]} and exits 1 when
the library reported any failure (on_error), so the test sees what the library saw.
"""
import argparse
import json
import sys
from datetime import datetime, timezone

from segment.analytics import Client


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--write-key", required=True)
    parser.add_argument("--user-id", required=True)
    parser.add_argument("--order-id", required=True)
    parser.add_argument("--gzip", action="store_true")
    args = parser.parse_args()

    errors = []

    def on_error(error, batch):
        errors.append({"error": str(error), "messages": len(batch)})

    client = Client(write_key=args.write_key, host=args.host, gzip=args.gzip, on_error=on_error, max_retries=2)
    user = args.user_id
    anonymous = user + "-device"
    # Anonymous first: page() and screen() without name or category send "name": null, "category": null.
    client.page(anonymous_id=anonymous, properties={"path": "/", "url": "https://shop.example/"})
    client.screen(anonymous_id=anonymous)
    client.identify(
        user,
        {"email": user + "@python.example", "firstName": "Ada", "preferredChannel": "email"},
        anonymous_id=anonymous,
    )
    client.track(
        user,
        "Order Completed",
        {
            "order_id": args.order_id,
            "revenue": 42.5,
            "currency": "EUR",
            "products": [{"product_id": "p-1", "category": "books", "price": 42.5, "quantity": 1}],
        },
        timestamp=datetime.now(timezone.utc),
    )
    # Refused by ingestion (an operator key), alone: the other events of its batch are accepted.
    client.track(user, "Search", {"$where": "sleep(1000)"})
    client.page(user, category="Docs", name="Install")
    client.screen(user, name="Basket")
    client.group(user, "group-" + user, {"name": "Python Club"})
    client.alias(anonymous + "-alias", user)
    client.flush()
    client.shutdown()
    print(json.dumps({"errors": errors}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
