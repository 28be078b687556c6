-- Book & Run schema, version 1.
-- Money is stored as INTEGER minor units of the row's currency (USD cents,
-- JPY yen, KWD fils): exact, and summable by SQLite without floats.
-- Times are stored as RFC 3339 UTC text plus, where they are compared, an
-- INTEGER of milliseconds since the epoch.

CREATE TABLE deals (
    id                  INTEGER PRIMARY KEY,
    title               TEXT    NOT NULL,
    description         TEXT,
    merchant            TEXT,
    currency            TEXT    NOT NULL,
    opens_at            TEXT,
    opens_at_ms         INTEGER,
    closes_at           TEXT    NOT NULL,
    closes_at_ms        INTEGER NOT NULL,
    payment_mode        TEXT    NOT NULL CHECK (payment_mode IN ('full', 'deposit')),
    deposit_percent     TEXT,
    min_qty             INTEGER NOT NULL CHECK (min_qty >= 1),
    approval            TEXT    NOT NULL CHECK (approval IN ('auto', 'manual')),
    allowed_domains     TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    max_per_participant INTEGER,
    stock               INTEGER,
    pickup_points       TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    commission_percent  TEXT,
    status              TEXT    NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'open', 'settled', 'failed', 'cancelled')),
    -- maintained by every booking transition, so no command scans bookings for a level
    approved_qty        INTEGER NOT NULL DEFAULT 0 CHECK (approved_qty >= 0),
    pending_qty         INTEGER NOT NULL DEFAULT 0 CHECK (pending_qty >= 0),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    cancel_reason       TEXT
) STRICT;
CREATE INDEX deals_open_by_close ON deals (closes_at_ms) WHERE status = 'open';
CREATE INDEX deals_by_status ON deals (status, id);

CREATE TABLE deal_items (
    deal_id    INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 0),
    name       TEXT    NOT NULL,
    base_price INTEGER NOT NULL CHECK (base_price > 0),
    PRIMARY KEY (deal_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE deal_tiers (
    deal_id  INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 5),
    min_qty  INTEGER NOT NULL CHECK (min_qty >= 1),
    prices   TEXT    NOT NULL,  -- JSON array of integer minor units, one per item
    reward   TEXT,
    PRIMARY KEY (deal_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE participants (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    email_key   TEXT UNIQUE,  -- lower-cased e-mail
    phone       TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE bookings (
    id             INTEGER PRIMARY KEY,
    deal_id        INTEGER NOT NULL REFERENCES deals (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    item           INTEGER NOT NULL,  -- position in deal_items
    quantity       INTEGER NOT NULL CHECK (quantity >= 1),
    status         TEXT    NOT NULL
                   CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'expired')),
    pickup_point   TEXT,
    note           TEXT,
    reason         TEXT,               -- of a rejection or cancellation
    cancelled_by   TEXT CHECK (cancelled_by IN ('participant', 'organizer', 'deal')),
    approved_at    TEXT,               -- set once, when approved
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX bookings_by_deal ON bookings (deal_id, status, id);
CREATE INDEX bookings_by_participant ON bookings (deal_id, participant_id, status);
CREATE INDEX bookings_of_participant ON bookings (participant_id);

-- The append-only ledger. Each entry moves `amount` between a participant's
-- wallet and a counterparty account ('organizer' or 'outside'); `signed`
-- is its effect on the wallet. Nothing ever updates or deletes a row.
CREATE TABLE entries (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL
                   CHECK (kind IN ('purchase', 'refund', 'payment', 'payout', 'reversal')),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    counterparty   TEXT    NOT NULL CHECK (counterparty IN ('organizer', 'outside')),
    deal_id        INTEGER REFERENCES deals (id),
    booking_id     INTEGER REFERENCES bookings (id),
    currency       TEXT    NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    signed         INTEGER NOT NULL CHECK (signed = amount OR signed = -amount),
    settlement     INTEGER NOT NULL DEFAULT 0 CHECK (settlement IN (0, 1)),
    method         TEXT,
    memo           TEXT,
    reverses       INTEGER UNIQUE REFERENCES entries (id),
    created_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX entries_by_wallet ON entries (participant_id, currency, id);
CREATE INDEX entries_by_booking ON entries (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX entries_by_deal ON entries (deal_id, participant_id) WHERE deal_id IS NOT NULL;

CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

-- Running balances, maintained with every entry: wallets per participant,
-- and the two counterparty accounts. Per currency they sum to zero.
CREATE TABLE wallets (
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    currency       TEXT    NOT NULL,
    balance        INTEGER NOT NULL,
    PRIMARY KEY (participant_id, currency)
) STRICT, WITHOUT ROWID;

CREATE TABLE accounts (
    name     TEXT NOT NULL CHECK (name IN ('organizer', 'outside')),
    currency TEXT NOT NULL,
    balance  INTEGER NOT NULL,
    PRIMARY KEY (name, currency)
) STRICT, WITHOUT ROWID;

-- One row per ended deal: written once, in the transaction that ends it.
CREATE TABLE settlements (
    deal_id      INTEGER PRIMARY KEY REFERENCES deals (id),
    outcome      TEXT    NOT NULL CHECK (outcome IN ('settled', 'failed', 'cancelled')),
    level        INTEGER NOT NULL,
    approved_qty INTEGER NOT NULL,
    ended_at     TEXT    NOT NULL
) STRICT;

-- Reputation events; participant_id NULL is the organizer.
CREATE TABLE reputation_events (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER REFERENCES participants (id),
    deal_id        INTEGER NOT NULL REFERENCES deals (id),
    booking_id     INTEGER REFERENCES bookings (id),
    kind           TEXT    NOT NULL
                   CHECK (kind IN ('completed', 'tier_step_down', 'organizer_cancelled')),
    delta          INTEGER NOT NULL CHECK (delta IN (1, -1)),
    reason         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX reputation_by_participant ON reputation_events (participant_id, id);

-- The notification outbox and history: written in the transaction of the
-- change that caused the event; the desktop shell delivers and marks it.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    deal_id      INTEGER NOT NULL REFERENCES deals (id),
    from_level   INTEGER NOT NULL,
    to_level     INTEGER NOT NULL,
    message      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    delivered_at TEXT
) STRICT;
CREATE INDEX events_undelivered ON events (id) WHERE delivered_at IS NULL;
