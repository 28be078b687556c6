-- Book & Run schema, version 2: the organizer's toolbox.
-- * bookings gain the state 'waitlisted' (a booking past the stock cap waits
--   in booking order for stock that a cancellation frees) and `collected_at`
--   (pickup tracking). SQLite cannot change a CHECK constraint in place, so
--   the table is rebuilt (the migration runner turns foreign keys off around
--   it and runs `PRAGMA foreign_key_check` before committing).
-- * bank_rows: every bank statement row recorded as a payment, by the hash of
--   the row, so an imported row is never recorded twice.

CREATE TABLE bookings_v2 (
    id             INTEGER PRIMARY KEY,
    deal_id        INTEGER NOT NULL REFERENCES deals (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    item           INTEGER NOT NULL,  -- position in deal_items
    quantity       INTEGER NOT NULL CHECK (quantity >= 1),
    status         TEXT    NOT NULL
                   CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'expired',
                                     'waitlisted')),
    pickup_point   TEXT,
    note           TEXT,
    reason         TEXT,               -- of a rejection or cancellation
    cancelled_by   TEXT CHECK (cancelled_by IN ('participant', 'organizer', 'deal')),
    approved_at    TEXT,               -- set once, when approved
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    collected_at   TEXT                -- when the participant collected the goods
) STRICT;
INSERT INTO bookings_v2 (id, deal_id, participant_id, item, quantity, status, pickup_point, note,
        reason, cancelled_by, approved_at, created_at, updated_at)
    SELECT id, deal_id, participant_id, item, quantity, status, pickup_point, note,
        reason, cancelled_by, approved_at, created_at, updated_at FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_v2 RENAME TO bookings;
CREATE INDEX bookings_by_deal ON bookings (deal_id, status, id);
CREATE INDEX bookings_by_participant ON bookings (deal_id, participant_id, status);
CREATE INDEX bookings_of_participant ON bookings (participant_id);

CREATE TABLE bank_rows (
    hash        TEXT    PRIMARY KEY,   -- SHA-256 of the row as read, and its occurrence in the file
    entry_id    INTEGER NOT NULL UNIQUE REFERENCES entries (id),
    booked_on   TEXT    NOT NULL,      -- the row's date, as the bank wrote it
    currency    TEXT    NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    reference   TEXT    NOT NULL,
    imported_at TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
