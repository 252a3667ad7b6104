"""Builds the service once per Lambda container, on first use, from the stage's settings."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from chalicelib.catalog import Catalog
from chalicelib.dynamodb import DynamoCartRepository, DynamoProductRepository
from chalicelib.service import CartService
from chalicelib.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@functools.cache
def settings() -> Settings:
    return Settings.from_environ()


def dynamodb_client(config: Settings) -> DynamoDBClient:
    """A DynamoDB client with botocore's `standard` retries and bounded timeouts.

    The endpoint comes from botocore's own configuration (AWS_ENDPOINT_URL_DYNAMODB points
    it at the local server), so nothing here differs between local and AWS.
    """
    client: DynamoDBClient = boto3.session.Session().client(
        "dynamodb",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": config.dynamodb_max_attempts},
            connect_timeout=config.dynamodb_connect_timeout,
            read_timeout=config.dynamodb_read_timeout,
            max_pool_connections=16,
            tcp_keepalive=True,
        ),
    )
    return client


@functools.cache
def dynamodb() -> DynamoDBClient:
    return dynamodb_client(settings())


@functools.cache
def cart_service() -> CartService:
    config, client = settings(), dynamodb()
    catalog = Catalog(
        DynamoProductRepository(client, config.products_table), config.catalog_cache_seconds
    )
    carts = DynamoCartRepository(client, config.carts_table, config.cart_items_table)
    return CartService(
        carts,
        catalog,
        lifetime=timedelta(days=config.cart_ttl_days),
        page_token_key=config.page_token_key,
    )
