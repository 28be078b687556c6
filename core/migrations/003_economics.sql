-- Book & Run schema, version 3: tier economics and credit limits (SPEC
-- sections 10 and 11).
-- * deal_items gain `cost` (what the merchant charges the organizer, JSON
--   `{"unit": minor units or null, "packs": [[size, price], ...]}`, NULL when
--   unknown) and `approved_qty` (the item's approved total, maintained by
--   every booking transition like the deal's own, for `buy_more`).
-- * credit_limits: how far a participant's wallet in a currency may go
--   below zero because of bookings; no row means no limit.

ALTER TABLE deal_items ADD COLUMN cost TEXT;
ALTER TABLE deal_items ADD COLUMN approved_qty INTEGER NOT NULL DEFAULT 0
    CHECK (approved_qty >= 0);
UPDATE deal_items SET approved_qty = (
    SELECT coalesce(sum(b.quantity), 0) FROM bookings b
    WHERE b.deal_id = deal_items.deal_id AND b.item = deal_items.position
      AND b.status = 'approved');

CREATE TABLE credit_limits (
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    currency       TEXT    NOT NULL,
    credit_limit   INTEGER NOT NULL CHECK (credit_limit >= 0),
    PRIMARY KEY (participant_id, currency)
) STRICT, WITHOUT ROWID;
