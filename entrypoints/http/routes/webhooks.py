"""A log's webhooks: subscriptions, a test event, the delivery log. Admin role."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from application.commands import (
    CreateWebhook,
    DeleteWebhook,
    GetWebhook,
    ListDeliveries,
    ListWebhooks,
    PingWebhook,
    Redeliver,
    UpdateWebhook,
)
from application.handlers.webhooks import (
    CreateWebhookHandler,
    DeleteWebhookHandler,
    GetWebhookHandler,
    ListDeliveriesHandler,
    ListWebhooksHandler,
    PingWebhookHandler,
    RedeliverHandler,
    UpdateWebhookHandler,
)
from application.webhook_views import IssuedSecret, SubscriptionView
from domain.values import LogSlug
from entrypoints.http import schemas
from entrypoints.http import webhook_schemas as hooks
from entrypoints.http.dependencies import RequiredIfMatch, SignedInActor, provide
from entrypoints.http.json_route import JsonRoute
from entrypoints.http.params import CursorQuery, LimitQuery, LogPath
from entrypoints.http.problems import problem_responses
from entrypoints.http.responses import etag, json_response

router = APIRouter(
    prefix="/v1/logs/{log}/webhooks",
    tags=["webhooks"],
    route_class=JsonRoute,
    responses=problem_responses(401, 403, 404, 422),
)
_BODY = (400, 413, 415)
# The largest id a database integer column holds.
_MAX_ID = 2**63 - 1
WebhookIdPath = Annotated[
    int, Path(description="The webhook's id in its log.", ge=1, le=_MAX_ID, examples=[3])
]
DeliveryIdPath = Annotated[
    int, Path(description="A delivery of that webhook.", ge=1, le=_MAX_ID, examples=[41])
]
# Replies that carry a secret must not be kept by any cache.
_NO_STORE = {"Cache-Control": "no-store"}


def _webhook_response(
    view: SubscriptionView | IssuedSecret, *, status_code: int = 200, location: str | None = None
) -> Response:
    subscription = view.subscription if isinstance(view, IssuedSecret) else view
    headers = {"ETag": etag(subscription.version)}
    if location is not None:
        headers["Location"] = location
    body: object = subscription
    if isinstance(view, IssuedSecret):
        headers |= _NO_STORE
        body = dataclasses.asdict(subscription) | {"secret": view.secret}
    return json_response(body, status_code=status_code, headers=headers)


@router.post(
    "",
    status_code=201,
    summary="Subscribe a URL to a log's events",
    description="Deliveries are signed per Standard Webhooks with the `secret` in the reply, "
    "which is shown this once. The URL must be http(s), carry no credentials and lead to "
    "public addresses only (else 422, saying why). Needs the admin role.",
    response_model=hooks.WebhookWithSecret,
    responses=problem_responses(*_BODY),
)
async def create_webhook(
    log: LogPath,
    body: hooks.WebhookCreate,
    actor: SignedInActor,
    create: Annotated[CreateWebhookHandler, Depends(provide(CreateWebhookHandler))],
) -> Response:
    issued = await create(
        CreateWebhook(
            actor=actor,
            log=LogSlug(log),
            url=body.url,
            events=tuple(body.events),
            description=body.description,
        )
    )
    location = f"/v1/logs/{log}/webhooks/{issued.subscription.id}"
    return _webhook_response(issued, status_code=201, location=location)


@router.get(
    "",
    summary="List a log's webhooks",
    description="By id; secrets are never shown. Needs the admin role.",
    response_model=schemas.Page[hooks.Webhook],
    responses=problem_responses(400),
)
async def list_webhooks(
    log: LogPath,
    actor: SignedInActor,
    list_webhooks: Annotated[ListWebhooksHandler, Depends(provide(ListWebhooksHandler))],
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    page = await list_webhooks(
        ListWebhooks(actor=actor, log=LogSlug(log), limit=limit, cursor=cursor)
    )
    return json_response(page)


@router.get(
    "/{id}",
    summary="Get a webhook",
    description="Whether it is enabled, and if not, why. Needs the admin role.",
    response_model=hooks.Webhook,
)
async def get_webhook(
    log: LogPath,
    id: WebhookIdPath,
    actor: SignedInActor,
    get: Annotated[GetWebhookHandler, Depends(provide(GetWebhookHandler))],
) -> Response:
    return _webhook_response(await get(GetWebhook(actor=actor, log=LogSlug(log), id=id)))


@router.patch(
    "/{id}",
    summary="Change a webhook: URL, events, description; re-enable it; rotate its secret",
    description="Needs the admin role and If-Match with the webhook's ETag. With "
    "`rotate_secret`, the reply carries the new secret, this once.",
    response_model=hooks.WebhookUpdated,
    responses=problem_responses(*_BODY, 412, 428),
)
async def update_webhook(
    log: LogPath,
    id: WebhookIdPath,
    body: hooks.WebhookUpdate,
    actor: SignedInActor,
    expected: RequiredIfMatch,
    update: Annotated[UpdateWebhookHandler, Depends(provide(UpdateWebhookHandler))],
) -> Response:
    view = await update(
        UpdateWebhook(
            actor=actor,
            log=LogSlug(log),
            id=id,
            url=body.url,
            events=None if body.events is None else tuple(body.events),
            description=body.description,
            enabled=body.enabled,
            rotate_secret=body.rotate_secret,
            expected_version=expected,
        )
    )
    return _webhook_response(view)


@router.delete(
    "/{id}",
    status_code=204,
    summary="Delete a webhook",
    description="With its delivery log; nothing more is sent. Needs the admin role.",
    response_class=Response,
)
async def delete_webhook(
    log: LogPath,
    id: WebhookIdPath,
    actor: SignedInActor,
    delete: Annotated[DeleteWebhookHandler, Depends(provide(DeleteWebhookHandler))],
) -> Response:
    await delete(DeleteWebhook(actor=actor, log=LogSlug(log), id=id))
    return Response(status_code=204)


@router.post(
    "/{id}/ping",
    summary="Send a webhook.ping event now",
    description="Sent at once, during this request (at most the delivery timeout), whatever "
    "events the webhook asks for and even when it is disabled; never retried. The reply "
    "says how the receiver answered. Needs the admin role.",
    response_model=hooks.AttemptReport,
)
async def ping_webhook(
    log: LogPath,
    id: WebhookIdPath,
    actor: SignedInActor,
    ping: Annotated[PingWebhookHandler, Depends(provide(PingWebhookHandler))],
) -> Response:
    return json_response(await ping(PingWebhook(actor=actor, log=LogSlug(log), id=id)))


@router.get(
    "/{id}/deliveries",
    summary="A webhook's delivery log",
    description="Newest first: each delivery with its attempts (time, status code, duration, "
    "the first KiB of the reply). Needs the admin role.",
    response_model=schemas.Page[hooks.Delivery],
    responses=problem_responses(400),
)
async def list_deliveries(
    log: LogPath,
    id: WebhookIdPath,
    actor: SignedInActor,
    list_deliveries: Annotated[ListDeliveriesHandler, Depends(provide(ListDeliveriesHandler))],
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    page = await list_deliveries(
        ListDeliveries(actor=actor, log=LogSlug(log), id=id, limit=limit, cursor=cursor)
    )
    return json_response(page)


@router.post(
    "/{id}/deliveries/{delivery_id}/redeliver",
    summary="Send a delivery again now",
    description="The same event id and body, a new timestamp and signature; sent during "
    "this request. A success marks the delivery delivered; a failure changes no schedule. "
    "Needs the admin role.",
    response_model=hooks.AttemptReport,
)
async def redeliver(
    log: LogPath,
    id: WebhookIdPath,
    delivery_id: DeliveryIdPath,
    actor: SignedInActor,
    redeliver: Annotated[RedeliverHandler, Depends(provide(RedeliverHandler))],
) -> Response:
    report = await redeliver(
        Redeliver(actor=actor, log=LogSlug(log), id=id, delivery_id=delivery_id)
    )
    return json_response(report)
