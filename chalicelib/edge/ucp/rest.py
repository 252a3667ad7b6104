"""UCP's REST binding (under /ucp): POST /carts, GET and PUT /carts/{id}, POST
/carts/{id}/cancel, each answering JSON (UCP's cart, or its error response).

Every request names its agent's profile in UCP-Agent (logged as `ucpAgent`); the access
checks are /carts' own (edge/rest.py): with a shopper's token the agent reaches that
shopper's carts, without one it makes guest carts, and a guest cart's id grants it.
"""

from __future__ import annotations

from chalice.app import Chalice, Response

from chalicelib import telemetry
from chalicelib.domain.errors import CartServiceError
from chalicelib.edge import rest
from chalicelib.edge.operations import Operation, Reply
from chalicelib.edge.services import Container, Services
from chalicelib.edge.ucp import operations, requests
from chalicelib.edge.ucp.operations import NOTHING_YET
from chalicelib.settings import EdgeSettings


def answer(
    app: Chalice, operation: Operation, services: Container[Services], edge: EdgeSettings
) -> Response:
    request = app.current_request
    assert request is not None, "answer() runs inside a route"
    telemetry.label(operation=operation.name)
    try:
        telemetry.label(ucpAgent=requests.agent_profile(request.headers.get("ucp-agent")))
    except requests.ProfileInvalid as invalid:
        return _json(Reply(400, {"code": "invalid_profile_url", "content": str(invalid)}, {}))
    try:
        built = services.get()
        caller = rest.caller_of(request, edge, built.verifier)
        incoming = rest.incoming(request, operation, caller)
    except CartServiceError as error:  # the request's form (its JSON, its headers)
        return _json(operations.refused(error, NOTHING_YET, protocol=True))
    return _json(operations.run(operation, incoming, built))


def _json(reply: Reply) -> Response:
    return Response(
        reply.body,
        status_code=reply.status,
        headers={"Content-Type": "application/json", **reply.headers},
    )
