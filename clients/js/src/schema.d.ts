// Generated from openapi.yaml by openapi-typescript (node schema.mjs): do not edit.
export interface paths {
    "/carts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an empty cart
         * @description In shopper mode: with a shopper token, the shopper's own cart (`customerId` may be left out; another one is 403 FORBIDDEN; a 21st active cart is 409 CART_LIMIT). Without a token, a guest cart (`customerId` null; sending one is 403) whose answer carries its `cartToken`, and an Idempotency-Key must then be a UUID version 4. An invalid token is 401, never a guest cart. In iam mode, `customerId` is required.
         */
        post: operations["create_cart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/carts/{cartId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        /** Read a cart, priced at the catalog's current prices */
        get: operations["get_cart"];
        put?: never;
        post?: never;
        /** Delete a cart and all of its lines */
        delete: operations["delete_cart"];
        options?: never;
        head?: never;
        /**
         * Set the cart's note, attributes, delivery address and delivery option
         * @description `note` (an empty one removes it), `attributes` (they replace the cart's), `deliveryAddress` (null removes it, and the option chosen with it) and `deliveryOptionId` (one of the view's `deliveryOptions` for the address; null: the cheapest): each if given, at least one; guests too. An option not offered at the address (in the cart's currency) is 400 DELIVERY_OPTION_UNAVAILABLE naming deliveryOptionId. With an address the view lists the delivery options, the one chosen, the tax and a total that includes them. A change like any other: a new version, If-Match and Idempotency-Key honoured. A cart's note, attributes and line attributes together hold at most 65536 bytes (UTF-8, as in the cart's JSON): past it, 400 CART_TOO_LARGE naming the field, nothing changed.
         */
        patch: operations["update_cart"];
        trace?: never;
    };
    "/carts/{cartId}/items": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add units of a product (to its line, or as a new line)
         * @description A product sold in a limited lot (its catalog entry asks for holds) is held for the cart: its units are taken from the stock with the add, and the line's `heldUntil` says until when. Too few left is 409 INSUFFICIENT_STOCK naming what the line can have, nothing changed. Past its client address's or shopper's cap of held units, the line is added without a hold (`heldUntil` null).
         */
        post: operations["add_item"];
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Apply up to 50 line operations at once, all or none, as one change
         * @description The operations apply in order to the cart as one change (one new version), or none of them does: the first one refused answers its error, naming it in `errors[].field` (`operations[3].quantity`). The same limits and codes as the single operations. If-Match and Idempotency-Key are honoured.
         */
        patch: operations["change_items"];
        trace?: never;
    };
    "/carts/{cartId}/items/{productId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
                productId: components["parameters"]["productId"];
            };
            cookie?: never;
        };
        get?: never;
        /** Set a line's quantity; 0 removes the line */
        put: operations["update_cart_item"];
        post?: never;
        /** Remove a line */
        delete: operations["remove_item"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/carts/{cartId}/merge": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move every line of another cart into this one, then delete the other
         * @description Quantities add; the limits hold (999 of a product or its maxPerCart, 100 lines: over one, nothing moves). The target keeps its discount codes; the source's are dropped. All or nothing: in one transaction for up to 49 source lines, otherwise in recorded steps that a retry of the same request resumes. Retrying a merge that succeeded gets 404 for the source.
         */
        post: operations["merge_carts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/carts/{cartId}/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Freeze the cart at today's prices for the order system
         * @description The status becomes CHECKED_OUT and every line keeps its price of this moment; later changes are 409 CART_NOT_ACTIVE, reads still work. Lines whose product is no longer available make it 400 PRODUCTS_UNAVAILABLE, listing them; lines the shop has too few units of make it 409 INSUFFICIENT_STOCK, `warnings` naming each with what is left (`available`), nothing changed; an empty cart is 400 CART_EMPTY. The units of every product whose stock the shop counts are taken from it in the checkout's own transaction, so a product is never sold beyond its stock, however many checkouts run at once, and a keyed retry takes nothing twice. A price that rose since its line was added or changed makes it 409 PRICE_CHANGED (the lines in `warnings`) unless the body says `{"acceptPriceChanges": true}`, after the shopper saw the new prices. The body is optional. The discounts that apply are frozen with the prices, and each use of a promotion with a usage limit is counted in the same transaction: a code used up by other checkouts meanwhile makes it 409 DISCOUNT_CODE_INVALID (reason USED_UP), nothing changed. With a delivery address, the delivery option chosen, its amount and the tax are frozen too; an address nobody delivers to makes it 409 UNDELIVERABLE (the view's warning said so beforehand). A cart without an address checks out with no delivery and no tax.
         */
        post: operations["checkout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/carts/{cartId}/discount-codes": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enter a discount code
         * @description The code (case does not matter) is kept on the cart, at most 5; its promotion must apply to the cart as it is now and have uses left, or the answer is 400 DISCOUNT_CODE_INVALID with a `reason`. A code already entered changes nothing. A code whose conditions stop holding later (the subtotal fell, it expired) stays entered but saves nothing until they hold again. Every code counts, before it is checked, per cart, per shopper and per client address, in clock hours, and is taken back once accepted: past 10 in the hour on the cart or by the shopper, or past the stage's per-address limit (50 by default), 429 TOO_MANY_ATTEMPTS with Retry-After (seconds to the hour's end), the code unchecked, nothing changed.
         */
        post: operations["apply_discount_code"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/carts/{cartId}/discount-codes/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
                code: components["schemas"]["DiscountCode"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a discount code
         * @description A code the cart does not hold is 404 DISCOUNT_CODE_NOT_FOUND.
         */
        delete: operations["remove_discount_code"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/customers/{customerId}/carts": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customerId: components["schemas"]["CustomerId"];
            };
            cookie?: never;
        };
        /**
         * A customer's carts, newest first (expired ones left out)
         * @description In shopper mode, a shopper's own id only (another is 403 FORBIDDEN).
         */
        get: operations["list_customer_carts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/carts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The calling shopper's own carts, newest first (shopper mode)
         * @description A guest's cart token, or a trusted caller, has no carts of its own (403 FORBIDDEN).
         */
        get: operations["list_my_carts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ucp/carts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * UCP Create Cart (dev.ucp.shopping.cart 2026-04-08, REST binding)
         * @description UCP's cart capability for agents, on the same carts as /carts (docs/agents.md). The body is UCP's create request of shopping/cart.json: `line_items` (each `{item: {id}, quantity}`) and an optional `context.currency`; the answer is UCP's cart, money in integer minor units. A refusal that is a business outcome (an unknown product, a quantity over the limit) is UCP's error response, answered 200 with `messages`; nothing was created. Without a token (shopper mode) the cart is a guest's, and its `id` is its cart token. Protocol errors keep their status, with UCP's body `{code, content}`.
         */
        post: operations["ucp_create_cart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ucp/carts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A cart's UCP id (its cartId, or for a guest's cart its cart token). */
                id: components["parameters"]["UcpCartId"];
            };
            cookie?: never;
        };
        /**
         * UCP Get Cart
         * @description The cart as UCP's cart; a cart that does not exist (or is another caller's, or was canceled) is UCP's error response `not_found`, answered 200.
         */
        get: operations["ucp_get_cart"];
        /**
         * UCP Update Cart (full replacement of the line items)
         * @description The cart's lines become exactly `line_items`: lines not named are removed, new ones added, others set to their quantity, as one change. The body may repeat the cart's `id`. If-Match is honoured as on /carts.
         */
        put: operations["ucp_update_cart"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ucp/carts/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A cart's UCP id (its cartId, or for a guest's cart its cart token). */
                id: components["parameters"]["UcpCartId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * UCP Cancel Cart
         * @description Deletes the cart (as DELETE /carts/{cartId}) and answers its state before: later operations on it answer `not_found`. The body, if any, is `{}`.
         */
        post: operations["ucp_cancel_cart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ucp/mcp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * UCP's MCP binding (Streamable HTTP, stateless, JSON answers)
         * @description One JSON-RPC 2.0 message per request: `initialize`, `ping`, `tools/list` and `tools/call` of UCP's cart tools (create_cart, get_cart, update_cart, cancel_cart) answer JSON; a notification answers 202 with no body. A protocol error is a JSON-RPC error with the HTTP status UCP gives it (docs/agents.md). The transport is checked first, each refusal a JSON-RPC error with a null id: an Origin other than the stage's allowed origin 403 (no Origin is allowed), a body over 64 KiB 413, one without Content-Type application/json 415, one that does not parse (deep nesting and NaN included) 400 with -32700, an unsupported MCP-Protocol-Version 400, an id that is neither a string nor an integer 400 with -32600.
         */
        post: operations["ucp_mcp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/ucp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * UCP business profile
         * @description The UCP version, the shopping service's REST and MCP endpoints of this stage, and the cart capability. Public in every mode; cached by shared caches (Cache-Control: public, max-age=300).
         */
        get: operations["ucp_profile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description UCP's create or update request of shopping/cart.json: `line_items` (at most 50, each `{item: {id}, quantity}` with quantity 1 to 999); `context` (its `currency` chooses the cart's); `signals`, `attribution` and `buyer` are taken and not kept; an update may repeat the cart's `id`. UCP answers a body it cannot take with its error response (200, `messages` naming the field), so only its being a JSON object is a protocol matter. */
        UcpCartRequest: Record<string, never>;
        ProductId: string;
        /** @description A decimal with exactly the currency's minor-unit digits ("19.99" USD, "1200" JPY). */
        Money: string;
        /** @description ISO 8601, UTC, milliseconds, `Z` suffix. */
        Timestamp: string;
        /**
         * @description An ISO 4217 code the service supports.
         * @enum {string}
         */
        Currency: "AED" | "AUD" | "BGN" | "BHD" | "BRL" | "CAD" | "CHF" | "CLP" | "CNY" | "COP" | "CZK" | "DKK" | "EGP" | "EUR" | "GBP" | "HKD" | "HUF" | "IDR" | "ILS" | "INR" | "ISK" | "JOD" | "JPY" | "KRW" | "KWD" | "MXN" | "MYR" | "NOK" | "NZD" | "OMR" | "PHP" | "PLN" | "RON" | "SAR" | "SEK" | "SGD" | "THB" | "TND" | "TRY" | "TWD" | "UAH" | "USD" | "VND" | "ZAR";
        CustomerId: string;
        /** @description customerId is required in iam mode; in shopper mode it is the token's subject. */
        CreateCartRequest: {
            customerId?: components["schemas"]["CustomerId"];
            /** @default USD */
            currency: components["schemas"]["Currency"];
        };
        AddItemRequest: {
            productId: components["schemas"]["ProductId"];
            quantity: number;
            /** @description Replaces the line's attributes; left out, the line keeps its own. */
            attributes?: components["schemas"]["LineAttributes"];
        };
        ChangeItemsRequest: {
            operations: ({
                /** @constant */
                op: "add";
                productId: components["schemas"]["ProductId"];
                quantity: number;
                attributes?: components["schemas"]["LineAttributes"];
            } | {
                /** @constant */
                op: "set";
                productId: components["schemas"]["ProductId"];
                /** @description 0 removes the line. */
                quantity: number;
                attributes?: components["schemas"]["LineAttributes"];
            } | {
                /** @constant */
                op: "remove";
                productId: components["schemas"]["ProductId"];
            })[];
        };
        UpdateCartRequest: {
            /** @description The order note; "" removes it. */
            note?: string;
            /** @description Replaces the cart's attributes. */
            attributes?: components["schemas"]["CartAttributes"];
            /** @description Where the cart goes (what delivery and tax need); null removes it. */
            deliveryAddress?: components["schemas"]["DeliveryAddress"] | null;
            /** @description One of the view's deliveryOptions; null goes back to the cheapest. */
            deliveryOptionId?: string | null;
        };
        /** @description As much of the address as delivery and tax need, never a street or a name. The shop's delivery rates give options by country, region or postal-code prefix; its tax rates, taxes by country and region. */
        DeliveryAddress: {
            /** @description ISO 3166-1 alpha-2, in capitals (an assigned code; GB, not UK). */
            country: string;
            /** @description ISO 3166-2 subdivision code without the country (CA for US-CA, BY for DE-BY). */
            region?: string;
            /** @description Up to 16 letters, digits, spaces or hyphens. */
            postalCode?: string;
        };
        DeliveryOption: {
            /** @description What deliveryOptionId names: standard, express, pickup, ... */
            id: string;
            title: string;
            /** @description What it costs this cart (0 once the goods, after discounts, reach its free threshold). */
            amount: components["schemas"]["Money"];
            /** @description Business days to delivery */
            minDays: number;
            /** @description Business days to delivery */
            maxDays: number;
        };
        TaxLine: {
            /** @description The tax: VAT, California sales tax, ... */
            name: string;
            /** @description Percent: "19", "7.25". */
            rate: string;
            /** @description This tax at this rate on the whole cart; the tax lines add up to taxAmount. */
            amount: components["schemas"]["Money"];
        };
        /** @description The cart's own string pairs (a delivery date, a gift message): up to 20, each key 1-40 of A-Z a-z 0-9 _ . - and each value up to 256 characters. They count towards the cart's size budget (see LineAttributes). */
        CartAttributes: {
            [key: string]: string;
        };
        /** @description A line's options (gift wrap, engraving): up to 10 string pairs, each key 1-40 of A-Z a-z 0-9 _ . - and each value up to 256 characters. The size budget: a cart's note, its attributes and all its lines' attributes (keys and values) together take at most 65536 bytes, counted as UTF-8 in the cart's JSON (a character outside ASCII 2 to 4 bytes, a quote or backslash 2, a control character up to 6). A change past it is 400 CART_TOO_LARGE naming the field (`attributes`, `note`, `operations[i].attributes`, or `sourceCartId` for a merge), and changes nothing. Every string must be valid Unicode: a lone surrogate (`"\ud800"`) is 400 VALIDATION_ERROR naming the field. */
        LineAttributes: {
            [key: string]: string;
        };
        MergeRequest: {
            /** @description The cart whose lines move into this one (e.g. the guest's cart at sign-in). */
            sourceCartId: string;
            /** @description The guest cart's cartToken: in shopper mode, the proof that the signed-in shopper may take its lines (a wrong or missing one for a guest cart is 404). */
            sourceCartToken?: string;
        };
        CartSummary: {
            /** Format: uuid */
            cartId: string;
            status: components["schemas"]["CartStatus"];
            currency: components["schemas"]["Currency"];
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
            itemCount: number;
        };
        CartsPage: {
            carts: components["schemas"]["CartSummary"][];
            nextToken: string | null;
        };
        /**
         * @description ACTIVE; CHECKED_OUT (frozen, read-only); MERGING (the cart takes part in a merge whose lines are still moving, as its source or its target: changes answer 409 CONFLICT with Retry-After until it finishes, within two minutes at most).
         * @enum {string}
         */
        CartStatus: "ACTIVE" | "CHECKED_OUT" | "MERGING";
        UpdateItemRequest: {
            quantity: number;
            /** @description Replaces the line's attributes; left out, the line keeps its own. */
            attributes?: components["schemas"]["LineAttributes"];
        };
        Cart: {
            /** Format: uuid */
            cartId: string;
            /** @description The owner; null for a guest's cart. */
            customerId: components["schemas"]["CustomerId"] | null;
            status: components["schemas"]["CartStatus"];
            currency: components["schemas"]["Currency"];
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
            /** @description When the cart expires unless it changes again (CART_TTL_DAYS after its last change). */
            expiresAt: components["schemas"]["Timestamp"];
            /** @description The shopper's note for the order (PATCH); null when none. */
            note: string | null;
            attributes: components["schemas"]["CartAttributes"];
            /** @description In the order their product was first added, oldest first. */
            items: components["schemas"]["CartLine"][];
            /** @description The sum of all quantities. */
            itemCount: number;
            /** @description The sum of the available lines' totals, before discounts. */
            subtotalAmount: components["schemas"]["Money"];
            /** @description The codes entered, in order (upper case), whether or not they save anything now. */
            discountCodes: string[];
            /** @description The promotions that apply now (once checked out, those frozen then), each with what it saves: product discounts first, then cart discounts; of non-stackable ones, the one that saves the most, alone. */
            discounts: components["schemas"]["AppliedDiscount"][];
            /** @description The sum of the discounts; the lines' discountAmount add up to it exactly. */
            discountAmount: components["schemas"]["Money"];
            /** @description Where the cart goes (PATCH); null when not known yet. */
            deliveryAddress: components["schemas"]["DeliveryAddress"] | null;
            /** @description The ways to deliver to the address in the cart's currency, in the shop's order (once checked out, the one chosen); empty without an address, or when nobody delivers there (then an UNDELIVERABLE warning). */
            deliveryOptions: components["schemas"]["DeliveryOption"][];
            /** @description The option the cart goes by (the shopper's, else the cheapest); null when none. */
            deliveryOptionId: string | null;
            /** @description That option's amount; null when none. */
            deliveryAmount: components["schemas"]["Money"] | null;
            /** @description Whether the prices include tax (in the shop's tax rates, by currency: EUR prices include VAT, USD prices do not). Included tax is part of the amounts; tax not included is added to the total. */
            taxIncluded: boolean;
            /** @description Each tax by name and rate, on the lines and delivery; empty without an address. */
            taxLines: components["schemas"]["TaxLine"][];
            /** @description The tax on the cart: the sum of the lines' taxAmount and the delivery's tax, and of the taxLines, to the minor unit. Null without an address. */
            taxAmount: components["schemas"]["Money"] | null;
            /** @description What the shopper pays: subtotalAmount - discountAmount (never below zero) + deliveryAmount + taxAmount when the prices do not include it. */
            totalAmount: components["schemas"]["Money"];
            /** @description Automatic promotions whose only unmet condition is their minimum subtotal (none once checked out). */
            approachingDiscounts: components["schemas"]["ApproachingDiscount"][];
            /** @description What the shopper should know before checking out; empty when all is well (and once checked out). */
            warnings: components["schemas"]["Warning"][];
        };
        /** @description A discount code; codes compare without regard to case. */
        DiscountCode: string;
        DiscountCodeRequest: {
            code: components["schemas"]["DiscountCode"];
        };
        AppliedDiscount: {
            promotionId: string;
            /** @description The code that applied it; null for an automatic promotion. */
            code: string | null;
            title: string;
            amount: components["schemas"]["Money"];
        };
        ApproachingDiscount: {
            promotionId: string;
            title: string;
            /** @description How much more the subtotal needs for the promotion to apply. */
            amountRemaining: components["schemas"]["Money"];
        };
        /** @description The cart view; a guest's new cart also carries its cartToken. */
        CreatedCart: {
            /** @description Only for a guest's cart, only in this answer (and its idempotent replays): the bearer token for this one cart. URL-safe, at most 200 characters. */
            cartToken?: string;
        } & components["schemas"]["Cart"];
        CartLine: {
            productId: components["schemas"]["ProductId"];
            name: string;
            quantity: number;
            attributes: components["schemas"]["LineAttributes"];
            /** @description The catalog's current price (once checked out, the price of that moment); null when the product left the catalog. */
            unitPrice: components["schemas"]["Money"] | null;
            /** @description unitPrice x quantity; null when unavailable. */
            lineTotal: components["schemas"]["Money"] | null;
            /** @description This line's share of the discounts (lineTotal less it is what it costs); null when unavailable. */
            discountAmount: components["schemas"]["Money"] | null;
            /** @description The tax on what the line costs after its discount, rounded half up to the minor unit (included in it, or on top, as taxIncluded says); null without an address or when unavailable. */
            taxAmount: components["schemas"]["Money"] | null;
            available: boolean;
            addedAt: components["schemas"]["Timestamp"];
            /** @description For a product sold in a limited lot (the catalog asks for holds), when the units this line holds go back on sale unless the line changes or the cart checks out; each change to the line holds them again for the product's window. Null when the line holds none: a product without holds, a hold that lapsed (the line warns HOLD_EXPIRED), or a line added past its client's cap of held units. */
            heldUntil: components["schemas"]["Timestamp"] | null;
        };
        /** @description Of a line (with its productId): PRICE_CHANGED, the unit price differs from the one when the shopper last added or changed the line (previousUnitPrice, unitPrice now); UNAVAILABLE, the product left the catalog; INSUFFICIENT_STOCK, the shop has fewer than the line holds (available); HOLD_EXPIRED, the line's hold lapsed and its units went back on sale (its next change, or the checkout, takes them again while some are left). Of the cart (no productId): UNDELIVERABLE, nobody delivers to the address in the cart's currency (checkout is 409 UNDELIVERABLE); TAX_ESTIMATED, the shop's tax service did not answer in time and the tax shown is the rate table's estimate (a checked-out cart keeps this warning when it froze one). */
        Warning: {
            /** @enum {string} */
            code: "PRICE_CHANGED" | "UNAVAILABLE" | "INSUFFICIENT_STOCK" | "HOLD_EXPIRED" | "UNDELIVERABLE" | "TAX_ESTIMATED";
            productId?: components["schemas"]["ProductId"];
            previousUnitPrice?: components["schemas"]["Money"];
            unitPrice?: components["schemas"]["Money"];
            available?: number;
        };
        Problem: {
            /** @constant */
            type: "about:blank";
            title: string;
            status: number;
            /**
             * @description Stable; what clients branch on.
             * @enum {string}
             */
            code: "INVALID_JSON" | "VALIDATION_ERROR" | "PRODUCT_NOT_FOUND" | "CURRENCY_MISMATCH" | "QUANTITY_LIMIT" | "LINE_LIMIT" | "CART_TOO_LARGE" | "CART_NOT_FOUND" | "ITEM_NOT_FOUND" | "CONFLICT" | "CART_NOT_ACTIVE" | "PRODUCTS_UNAVAILABLE" | "CART_EMPTY" | "IDEMPOTENCY_KEY_REUSED" | "PRECONDITION_FAILED" | "SERVICE_UNAVAILABLE" | "INTERNAL_ERROR" | "UNSUPPORTED_MEDIA_TYPE" | "METHOD_NOT_ALLOWED" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CART_LIMIT" | "PAYLOAD_TOO_LARGE" | "TOO_MANY_REQUESTS" | "INSUFFICIENT_STOCK" | "CHECKOUT_TOO_LARGE" | "STOCK_NOT_COUNTED" | "PRICE_CHANGED" | "DISCOUNT_CODE_INVALID" | "DISCOUNT_CODE_NOT_FOUND" | "TOO_MANY_ATTEMPTS" | "UNDELIVERABLE" | "DELIVERY_OPTION_UNAVAILABLE";
            detail: string;
            /**
             * @description With DISCOUNT_CODE_INVALID, why the code cannot be applied.
             * @enum {string}
             */
            reason?: "UNKNOWN" | "EXPIRED" | "USED_UP" | "MIN_SUBTOTAL" | "NOT_APPLICABLE" | "CURRENCY" | "TOO_MANY" | "SIGN_IN_REQUIRED";
            /** @description With PRICE_CHANGED and INSUFFICIENT_STOCK, the lines that stop the checkout. */
            warnings?: components["schemas"]["Warning"][];
            /** @description With PRODUCTS_UNAVAILABLE, the lines that stop the checkout. */
            unavailableProducts?: string[];
            /** @description With VALIDATION_ERROR, the fields that were refused (at most 10). */
            errors?: {
                field: string;
                message: string;
            }[];
        };
    };
    responses: {
        /** @description UCP's cart (shopping/cart.json) or UCP's error response (`ucp.status` "error", with `messages`), as UCP's schemas of release 2026-04-08 define them. */
        UcpCart: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": Record<string, never>;
            };
        };
        /** @description A protocol error, as UCP answers it: `{code, content}` (`invalid_profile_url`, `invalid_json`, `unauthorized`, `forbidden`, `idempotency_key_reused`, `conflict`, `too_many_attempts`, `service_unavailable`); the gateway's own refusals and a content type the service does not read are problem+json. */
        UcpProtocolError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    code: string;
                    content: string;
                };
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A JSON-RPC 2.0 response (a `result`, or an `error`). */
        JsonRpc: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    /** @constant */
                    jsonrpc: "2.0";
                };
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description UNAUTHORIZED (shopper mode), the bearer token is missing, malformed, expired or not signed by a trusted key. */
        Unauthorized: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description `Bearer`: how to authenticate. */
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description FORBIDDEN (shopper mode), the caller may not act for that customer. */
        Forbidden: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description PAYLOAD_TOO_LARGE, the body is over 64 KiB. Nothing was read. */
        PayloadTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description TOO_MANY_REQUESTS, the stage's throttling or its WAF rule refused the call; or TOO_MANY_ATTEMPTS, too many discount codes were refused this hour on this cart, by this shopper or from this address. Wait Retry-After. */
        TooManyAttempts: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description Seconds to wait before retrying. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description TOO_MANY_REQUESTS, the stage's throttling refused the call; wait Retry-After. */
        TooManyRequests: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description Seconds to wait before retrying. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The cart as stored after the operation, priced. */
        CartView: {
            headers: {
                ETag: components["headers"]["ETag"];
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Cart"];
            };
        };
        /** @description INVALID_JSON (not JSON, or not an object), VALIDATION_ERROR (a field, path or query parameter is missing, unknown, of the wrong type or out of range, or a nextToken was not issued for this customer), PRODUCT_NOT_FOUND, CURRENCY_MISMATCH, QUANTITY_LIMIT (more than 999 of a product), LINE_LIMIT (more than 100 products), CART_TOO_LARGE (the cart's note and attributes would pass 65536 bytes), PRODUCTS_UNAVAILABLE or CART_EMPTY (checkout), DISCOUNT_CODE_INVALID (with a `reason`), DELIVERY_OPTION_UNAVAILABLE (an option not offered at the address). Nothing was changed. */
        BadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description CART_NOT_FOUND (also once deleted or expired, and, in shopper mode, another's cart), ITEM_NOT_FOUND or DISCOUNT_CODE_NOT_FOUND. */
        NotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description CONFLICT: concurrent writers still collided after the retries, a merge or checkout could not read the cart whole at one version, or the cart is MERGING (then with Retry-After: the merge finishes shortly, within two minutes at most); nothing was changed; retry. CART_LIMIT, the shopper already holds 20 active carts. IDEMPOTENCY_KEY_REUSED, the Idempotency-Key was used for another request: use a new key. CART_NOT_ACTIVE, the cart is checked out and can no longer change. DISCOUNT_CODE_INVALID (reason USED_UP), at checkout: other checkouts used the code up meanwhile; remove it to check out without it. UNDELIVERABLE, at checkout: nobody delivers to the cart's address; give another, or remove it. INSUFFICIENT_STOCK, at checkout: the shop has fewer units of some products than the cart holds (`warnings` names each, with what is left); or, adding to a line of a product sold in a limited lot (held in carts), too few are left to hold (`available`: what the line can hold in all), nothing changed. CHECKOUT_TOO_LARGE: a batch that would give back the holds of more lines than one transaction holds (about 50 at once); change fewer at once (a checkout holds its units in steps instead). STOCK_NOT_COUNTED, from the IAM-only adjust_stock function (no REST route): the product's stock is not counted; give it a stock in the catalog first. */
        Conflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description Seconds to wait before retrying (a cart that is MERGING). */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The change was applied, but the cart could not be read back to show it. Read the cart (Location), or retry with the same Idempotency-Key for the full answer; it is not applied again. */
        Applied: {
            headers: {
                /** @description The cart's path, `/carts/{cartId}` (under the stage prefix when deployed). */
                Location?: string;
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": {
                    /** Format: uuid */
                    cartId: string;
                    /** @constant */
                    applied: true;
                };
            };
        };
        /** @description PRECONDITION_FAILED, If-Match named a version the cart is no longer at. Nothing was changed; read the cart again. */
        PreconditionFailed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description UNSUPPORTED_MEDIA_TYPE, the body was not sent as `Content-Type application/json`. */
        UnsupportedMediaType: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description INTERNAL_ERROR; the detail never carries a stack trace or an AWS error text. */
        InternalError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description SERVICE_UNAVAILABLE, DynamoDB throttled or unreachable after the retries. Nothing was changed; the one exception: when every attempt to send a change without an Idempotency-Key lost its answer, the service cannot know whether it committed (with a key it finds its receipt and answers the change). */
        ServiceUnavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description Seconds to wait before retrying. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description The agent's profile, as RFC 8941 dictionary `profile="https://..."`. */
        UcpAgent: string;
        /** @description A cart's UCP id (its cartId, or for a guest's cart its cart token). */
        UcpCartId: string;
        /** @description A UUID version 4 in lowercase canonical form, made by the service. */
        cartId: string;
        productId: components["schemas"]["ProductId"];
        /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
        IfMatch: string;
        /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
        IdempotencyKey: string;
    };
    requestBodies: never;
    headers: {
        /** @description Identifies the request in the service's logs. */
        "X-Request-Id": string;
        /** @description The cart's version, quoted (`"7"`); it grows with every change. Send it as If-Match. */
        ETag: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    create_cart: {
        parameters: {
            query?: never;
            header?: {
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateCartRequest"];
            };
        };
        responses: {
            /** @description The new cart. */
            201: {
                headers: {
                    /** @description The cart's path, `/carts/{cartId}` (under the stage prefix when deployed). */
                    Location?: string;
                    ETag: components["headers"]["ETag"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedCart"];
                };
            };
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    get_cart: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["CartView"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    delete_cart: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cart and every line are gone. */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    update_cart: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateCartRequest"];
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    add_item: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddItemRequest"];
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    change_items: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangeItemsRequest"];
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    update_cart_item: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
                productId: components["parameters"]["productId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateItemRequest"];
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    remove_item: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
                productId: components["parameters"]["productId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    merge_carts: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MergeRequest"];
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    checkout: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default false */
                    acceptPriceChanges?: boolean;
                };
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    apply_discount_code: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DiscountCodeRequest"];
            };
        };
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyAttempts"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    remove_discount_code: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A UUID version 4 in lowercase canonical form, made by the service. */
                cartId: components["parameters"]["cartId"];
                code: components["schemas"]["DiscountCode"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["CartView"];
            202: components["responses"]["Applied"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    list_customer_carts: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The nextToken of the previous page, as it was given. */
                nextToken?: string;
            };
            header?: never;
            path: {
                customerId: components["schemas"]["CustomerId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. A page may hold fewer carts than `limit` and still have a next one; `nextToken` is null on the last page. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CartsPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    list_my_carts: {
        parameters: {
            query?: {
                limit?: number;
                /** @description The nextToken of the previous page, as it was given. */
                nextToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. A page may hold fewer carts than `limit` and still have a next one; `nextToken` is null on the last page. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CartsPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    ucp_create_cart: {
        parameters: {
            query?: never;
            header: {
                /** @description The agent's profile, as RFC 8941 dictionary `profile="https://..."`. */
                "UCP-Agent": components["parameters"]["UcpAgent"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UcpCartRequest"];
            };
        };
        responses: {
            200: components["responses"]["UcpCart"];
            201: components["responses"]["UcpCart"];
            202: components["responses"]["UcpCart"];
            400: components["responses"]["UcpProtocolError"];
            401: components["responses"]["UcpProtocolError"];
            403: components["responses"]["UcpProtocolError"];
            409: components["responses"]["UcpProtocolError"];
            413: components["responses"]["UcpProtocolError"];
            415: components["responses"]["UcpProtocolError"];
            429: components["responses"]["UcpProtocolError"];
            500: components["responses"]["UcpProtocolError"];
            503: components["responses"]["UcpProtocolError"];
        };
    };
    ucp_get_cart: {
        parameters: {
            query?: never;
            header: {
                /** @description The agent's profile, as RFC 8941 dictionary `profile="https://..."`. */
                "UCP-Agent": components["parameters"]["UcpAgent"];
            };
            path: {
                /** @description A cart's UCP id (its cartId, or for a guest's cart its cart token). */
                id: components["parameters"]["UcpCartId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["UcpCart"];
            400: components["responses"]["UcpProtocolError"];
            401: components["responses"]["UcpProtocolError"];
            403: components["responses"]["UcpProtocolError"];
            429: components["responses"]["UcpProtocolError"];
            500: components["responses"]["UcpProtocolError"];
            503: components["responses"]["UcpProtocolError"];
        };
    };
    ucp_update_cart: {
        parameters: {
            query?: never;
            header: {
                /** @description The agent's profile, as RFC 8941 dictionary `profile="https://..."`. */
                "UCP-Agent": components["parameters"]["UcpAgent"];
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A cart's UCP id (its cartId, or for a guest's cart its cart token). */
                id: components["parameters"]["UcpCartId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UcpCartRequest"];
            };
        };
        responses: {
            200: components["responses"]["UcpCart"];
            202: components["responses"]["UcpCart"];
            400: components["responses"]["UcpProtocolError"];
            401: components["responses"]["UcpProtocolError"];
            403: components["responses"]["UcpProtocolError"];
            409: components["responses"]["UcpProtocolError"];
            413: components["responses"]["UcpProtocolError"];
            415: components["responses"]["UcpProtocolError"];
            429: components["responses"]["UcpProtocolError"];
            500: components["responses"]["UcpProtocolError"];
            503: components["responses"]["UcpProtocolError"];
        };
    };
    ucp_cancel_cart: {
        parameters: {
            query?: never;
            header: {
                /** @description The agent's profile, as RFC 8941 dictionary `profile="https://..."`. */
                "UCP-Agent": components["parameters"]["UcpAgent"];
                /** @description The ETag of the cart this change was decided against. If the cart has changed since, the answer is 412 PRECONDITION_FAILED and nothing changes. Without it, the change is applied to the cart as it is (atomically: no lost updates). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description 1-128 printable ASCII characters naming this request; send one with every change and re-send the request with it whenever no answer came. The key's receipt commits in the same transaction as the change, so the same key with the same request (method, path, body, If-Match, caller) within 24 hours answers what the first answered (status, body, Location, ETag) and applies nothing again, whatever failed after the change committed (if the first could not read the cart back, the retry answers the cart as it now is). With another request it is 409 IDEMPOTENCY_KEY_REUSED, nothing changed. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description A cart's UCP id (its cartId, or for a guest's cart its cart token). */
                id: components["parameters"]["UcpCartId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            200: components["responses"]["UcpCart"];
            202: components["responses"]["UcpCart"];
            400: components["responses"]["UcpProtocolError"];
            401: components["responses"]["UcpProtocolError"];
            403: components["responses"]["UcpProtocolError"];
            409: components["responses"]["UcpProtocolError"];
            413: components["responses"]["UcpProtocolError"];
            415: components["responses"]["UcpProtocolError"];
            429: components["responses"]["UcpProtocolError"];
            500: components["responses"]["UcpProtocolError"];
            503: components["responses"]["UcpProtocolError"];
        };
    };
    ucp_mcp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    jsonrpc: "2.0";
                    method: string;
                };
            };
        };
        responses: {
            200: components["responses"]["JsonRpc"];
            /** @description A notification, taken. */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["JsonRpc"];
            401: components["responses"]["JsonRpc"];
            403: components["responses"]["JsonRpc"];
            409: components["responses"]["JsonRpc"];
            413: components["responses"]["JsonRpc"];
            415: components["responses"]["JsonRpc"];
            429: components["responses"]["JsonRpc"];
            500: components["responses"]["JsonRpc"];
            503: components["responses"]["JsonRpc"];
        };
    };
    ucp_profile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description UCP's business profile (discovery/profile_schema.json). */
            200: {
                headers: {
                    /** @description public, max-age=300 */
                    "Cache-Control"?: string;
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            500: components["responses"]["InternalError"];
        };
    };
}
