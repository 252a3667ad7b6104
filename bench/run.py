"""`make bench`: every performance figure of the service, measured on this machine.

Starts moto's DynamoDB on loopback (in a process of its own, as DynamoDB is never in the
Lambda's; every call through moto's app, as when the figures were first measured) with the
tables and the sample catalog, then measures
  1. the request path (bench/request_path.py): sequential DynamoDB round trips per
     operation, with and without an Idempotency-Key, each operation through the app's
     handler against the bare boto3 calls it makes (same server, same run, medians), and a
     token check; what three promotions and a delivery address add to get_cart
     (bench/promotions.py, bench/delivery.py),
  2. starting up (bench/startup.py): import and first request in a fresh interpreter,
     against a minimal app, for /carts and for an agent (bench/agents.py), and the size of
     the deployment package,
  3. what DynamoDB bills (bench/costs.py, bench/billing.py): each operation on a typical
     cart and on one at its size budget, a storefront session with the stream consumer's
     writes, and the sweeps,
  4. under load (bench/load.py): the event stream's consumer, and a storefront mix over
     HTTP against chalice local,
and writes BENCHMARKS.md and bench/results.json (bench/report.py).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import requests

from bench.billing import Bill
from bench.costs import measure_costs, measure_session, measure_sweeps
from bench.delivery import measure_delivery
from bench.harness import BENCH_CUSTOMER, Api, Figures
from bench.load import measure_events, measure_throughput
from bench.promotions import measure_promotions
from bench.report import write_reports
from bench.request_path import (
    measure_overhead,
    measure_round_trips,
    measure_token_checks,
)
from bench.startup import measure_agents, measure_cold_start, measure_package
from chalicelib.settings import Settings
from tools.local.chalice_local import OVERRIDES_VARIABLE
from tools.local.dynamodb_server import THROUGH_MOTOS_APP
from tools.local.event_stream import EventRelay, scheduled_event
from tools.local.run import fresh_key_ring
from tools.local.stack import (
    LOCAL_STAGE,
    dynamodb_server_process,
    local_aws_environment,
    prepare_tables,
)
from tools.stage import stage_environment, stage_settings

BENCH_READ_TIMEOUT = 10.0


def main() -> None:
    started = time.monotonic()
    figures = Figures()
    # The service logs a JSON line per request to stdout, as in Lambda. Formatting them is
    # part of what is measured; printing them to this terminal is not. Figures go to stderr.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the whole run)
    with dynamodb_server_process(THROUGH_MOTOS_APP) as endpoint:
        # The round trips, overhead and throughput are a trusted backend's (no token checks);
        # the cold start and the token checks are measured in shopper mode, below.
        environment = {
            **stage_environment(LOCAL_STAGE),
            **local_aws_environment(endpoint),
            "API_AUTH": "iam",
            OVERRIDES_VARIABLE: "API_AUTH",
            "TOKEN_KEYS": fresh_key_ring(),
            "DYNAMODB_READ_TIMEOUT": str(BENCH_READ_TIMEOUT),
        }
        os.environ.update(environment)
        import app as app_module
        from chalicelib import wiring

        # moto, not DynamoDB, sometimes stalls past the service's 1 s read timeout (its heap
        # holds every stream record), and botocore's retry of a transaction is then applied
        # again, as moto ignores ClientRequestToken: the bench waits instead.
        settings = stage_settings(LOCAL_STAGE)._replace(dynamodb_read_timeout=BENCH_READ_TIMEOUT)
        client = wiring.dynamodb_client(settings)
        prepare_tables(client, settings)

        def new_container() -> None:
            app_module.services.use(wiring.build(settings, client))

        new_container()
        api = Api(app_module.app)
        measure_round_trips(api, client, new_container, figures)
        measure_promotions(
            api, client, lambda: wiring.build(settings, client), app_module.services.use, figures
        )
        measure_delivery(
            api, client, lambda: wiring.build(settings, client), app_module.services.use, figures
        )
        measure_overhead(api, client, wiring.dynamodb_client(settings), figures)
        cart_for_cold_start = api.cart_with_lines(3)
        measure_token_checks(environment["TOKEN_KEYS"], figures)
        measure_cold_start(
            {**environment, "API_AUTH": "shopper"}, BENCH_CUSTOMER, cart_for_cold_start, figures
        )
        measure_agents(api, client, wiring.dynamodb_client(settings), environment, figures)
        # Last on these tables: a cart at its size budget makes every moto write slower.
        bill = Bill(client, wiring.dynamodb_client(settings))
        measure_costs(api, client, bill, figures)
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # small tables again
        prepare_tables(client, settings)
        measure_events(api, endpoint, settings, figures)
        measure_billed_session(api, endpoint, settings, bill, new_container, figures)
        measure_throughput(environment, figures)
    measure_package(figures)
    elapsed = time.monotonic() - started
    write_reports(figures, elapsed)


def measure_billed_session(
    api: Api,
    endpoint: str,
    settings: Settings,
    bill: Bill,
    new_container: Callable[[], None],
    figures: Figures,
) -> None:
    """A storefront session's bill with the stream consumer's, and the sweeps' fixed one."""
    import app as app_module
    from chalicelib import wiring

    relay = EventRelay(endpoint, settings, tap_name="bench-session")
    new_container()  # the requests on the billed client (the relay took the app's services)
    consumer_bill = Bill(relay.clients[0], wiring.dynamodb_client(settings))

    def pump() -> int:
        relay.pump.pump()
        return len(relay.tap.drain())

    measure_session(api, bill, consumer_bill, pump, figures)
    measure_sweeps(
        {
            "release_lapsed_holds": (
                lambda: app_module.release_lapsed_holds(scheduled_event(), None),
                1,
                bill,
            ),
            "finish_stalled_merges": (
                lambda: app_module.finish_stalled_merges(scheduled_event(), None),
                1,
                bill,
            ),
            "mark_abandoned_carts": (
                lambda: app_module.mark_abandoned_carts(scheduled_event(), None),
                5,
                consumer_bill,
            ),
        },
        figures,
    )


if __name__ == "__main__":
    main()
