-- Book & Run schema: deliveries and shortfalls (SPEC section 12).
-- * bookings gain `delivered`: NULL until a delivery is recorded for the
--   deal; then, for each approved booking, the units it kept.
-- * deliveries: one row per settled deal whose delivery was recorded (once).
-- * delivery_refunds: the refund entry of each booking that lost units, so
--   reports can tell a shortfall refund from what settlement wrote.

ALTER TABLE bookings ADD COLUMN delivered INTEGER CHECK (delivered >= 0);

CREATE TABLE deliveries (
    deal_id     INTEGER PRIMARY KEY REFERENCES deals (id),
    rule        TEXT    NOT NULL CHECK (rule IN ('booking_order', 'proportional')),
    missing     INTEGER NOT NULL CHECK (missing >= 0),  -- units not delivered, all items
    refunded    INTEGER NOT NULL CHECK (refunded >= 0), -- minor units refunded, all bookings
    recorded_at TEXT    NOT NULL
) STRICT;

CREATE TABLE delivery_refunds (
    entry_id   INTEGER PRIMARY KEY REFERENCES entries (id),
    deal_id    INTEGER NOT NULL REFERENCES deliveries (deal_id),
    booking_id INTEGER NOT NULL UNIQUE REFERENCES bookings (id),
    lost       INTEGER NOT NULL CHECK (lost >= 1)
) STRICT;
CREATE INDEX delivery_refunds_by_deal ON delivery_refunds (deal_id);
