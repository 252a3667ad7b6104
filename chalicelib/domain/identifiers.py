"""What a valid identifier is: cart, customer and product ids, as the contract defines them."""

from __future__ import annotations

import re

CART_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
CUSTOMER_ID = re.compile(r"[A-Za-z0-9._\-:@+|]{1,128}")
PRODUCT_ID = re.compile(r"[A-Za-z0-9._\-]{1,64}")

CART_ID_RULE = "must be a UUID version 4 in lowercase canonical form"
CUSTOMER_ID_RULE = "must be 1 to 128 characters from A-Z a-z 0-9 . _ - : @ + |"
PRODUCT_ID_RULE = "must be 1 to 64 characters from A-Z a-z 0-9 . _ -"
