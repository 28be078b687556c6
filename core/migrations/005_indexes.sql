-- Book & Run schema, version 5: indexes for large deals (issue 14).
-- * bookings (deal_id, id): a deal's bookings in booking order, paged
--   (`list_bookings` without a status) without sorting the whole deal.
-- * entries (booking_id, settlement, signed): what a booking was charged,
--   and what settlement wrote for it, read from the index alone (it replaces
--   the index on booking_id).

CREATE INDEX bookings_in_order ON bookings (deal_id, id);

DROP INDEX entries_by_booking;
CREATE INDEX entries_by_booking ON entries (booking_id, settlement, signed)
    WHERE booking_id IS NOT NULL;
