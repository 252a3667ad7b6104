"""The DynamoDB adapter: the only package that knows tables, keys and expressions.

`carts` (with `reads`, `decided`, `merge` and `deletion`, each running its changes through
`transactions`) implements the cart repository; `products`, `promotions`, `rates`,
`receipts` and `attempts` the other ports. `expressions` builds the conditions and updates
they share, `rows` converts items to domain objects and back, `calls` turns AWS failures
into domain errors and runs transactions and batches, and `tables` declares the tables every
tool and setting reads. For events: `stream` reads the Carts table's stream records,
`abandonment` keeps the index of carts that may be abandoned.
"""
