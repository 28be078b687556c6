// GENERATED from the core's command list (core/src/api.rs, `with_commands!`):
// do not edit. Regenerate with
//   BOOKRUN_WRITE_UI=1 cargo test -p bookrun --test ui_commands
// Each function runs one command with its JSON arguments (SPEC section 8);
// failures reject with `{code, message, field?}`.

import { call } from "./ipc.js";

/** The names of every command, in the core's order. */
export const COMMAND_NAMES = [
  "create_deal",
  "update_deal",
  "open_deal",
  "end_deal",
  "cancel_deal",
  "check_tiers",
  "get_deal",
  "list_deals",
  "add_participant",
  "set_credit_limit",
  "list_participants",
  "book",
  "approve_booking",
  "reject_booking",
  "cancel_booking",
  "preview_cancel",
  "list_bookings",
  "record_payment",
  "record_payout",
  "reverse_entry",
  "statement",
  "balances",
  "preview_settlement",
  "reputation",
  "notifications",
  "preview_signups",
  "import_signups",
  "preview_bank_import",
  "import_bank",
  "mark_collected",
  "pickup_list",
  "merchant_order",
  "deal_statement",
  "outstanding",
  "payouts_due",
  "share_text",
  "export_merchant_order",
  "export_pickup_lists",
  "export_statement",
  "export_ledger",
  "record_delivery",
  "preview_delivery",
  "clone_deal",
  "backup",
  "restore",
];

/**
 * Create a draft deal with its items and up to 5 tiers
 * @param {object} args
 * @param {*} args.title text
 * @param {*} [args.description] text (multi-line)
 * @param {*} [args.merchant] text
 * @param {*} args.currency currency
 * @param {*} [args.opens_at] RFC 3339 time
 * @param {*} args.closes_at RFC 3339 time
 * @param {*} args.payment {mode: full|deposit, percent?}
 * @param {*} args.min_qty integer 1..1000000000
 * @param {*} args.approval auto|manual
 * @param {*} [args.allowed_domains] [text]
 * @param {*} [args.max_per_participant] integer 1..1000000000
 * @param {*} [args.stock] integer 1..1000000000
 * @param {*} [args.pickup_points] [text]
 * @param {*} [args.commission_percent] decimal percent
 * @param {*} args.items [{name, base_price: money, cost?: {unit?, packs?: [{size, price}]}}]
 * @param {*} [args.tiers] [{min_qty, prices: [money], reward?}]
 * @returns {Promise<object>} DealView (writes)
 */
export const createDeal = (args = {}) => call("create_deal", args);

/**
 * Change a draft deal; an open one only in title, description, merchant, pickup points and a later closes_at
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.title] text
 * @param {*} [args.description] text (multi-line)
 * @param {*} [args.merchant] text
 * @param {*} [args.currency] currency
 * @param {*} [args.opens_at] RFC 3339 time
 * @param {*} [args.closes_at] RFC 3339 time
 * @param {*} [args.payment] {mode: full|deposit, percent?}
 * @param {*} [args.min_qty] integer 1..1000000000
 * @param {*} [args.approval] auto|manual
 * @param {*} [args.allowed_domains] [text]
 * @param {*} [args.max_per_participant] integer 1..1000000000
 * @param {*} [args.stock] integer 1..1000000000
 * @param {*} [args.pickup_points] [text]
 * @param {*} [args.commission_percent] decimal percent
 * @param {*} [args.items] [{name, base_price: money, cost?: {unit?, packs?: [{size, price}]}}]
 * @param {*} [args.tiers] [{min_qty, prices: [money], reward?}]
 * @returns {Promise<object>} DealView (writes)
 */
export const updateDeal = (args = {}) => call("update_deal", args);

/**
 * Open a draft deal for bookings (closes_at must be in the future)
 * @param {object} args
 * @param {*} args.deal_id id
 * @returns {Promise<object>} DealView (writes)
 */
export const openDeal = (args = {}) => call("open_deal", args);

/**
 * End a deal now and settle it (again: report the settlement made)
 * @param {object} args
 * @param {*} args.deal_id id
 * @returns {Promise<object>} Report (writes)
 */
export const endDeal = (args = {}) => call("end_deal", args);

/**
 * Cancel a draft or open deal, refunding everything charged
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.reason] text (multi-line)
 * @returns {Promise<object>} DealView (writes)
 */
export const cancelDeal = (args = {}) => call("cancel_deal", args);

/**
 * Where the tier ladder sells below the merchant's cost, per item with a cost
 * @param {object} args
 * @param {*} [args.deal_id] id
 * @param {*} [args.terms] {create_deal's fields}
 * @param {*} [args.up_to] integer 1..100000
 * @returns {Promise<object>} TierCheck
 */
export const checkTiers = (args = {}) => call("check_tiers", args);

/**
 * A deal with its level, current prices and next tier
 * @param {object} args
 * @param {*} args.deal_id id
 * @returns {Promise<object>} DealView
 */
export const getDeal = (args = {}) => call("get_deal", args);

/**
 * All deals, or those in one status
 * @param {object} args
 * @param {*} [args.status] draft|open|settled|failed|cancelled
 * @returns {Promise<object>} DealList
 */
export const listDeals = (args = {}) => call("list_deals", args);

/**
 * Add a participant (e-mails are unique)
 * @param {object} args
 * @param {*} args.name text
 * @param {*} [args.email] text
 * @param {*} [args.phone] text
 * @param {*} [args.note] text (multi-line)
 * @returns {Promise<object>} ParticipantView (writes)
 */
export const addParticipant = (args = {}) => call("add_participant", args);

/**
 * Set how far a participant's wallet may owe because of bookings (0.00: pay before booking)
 * @param {object} args
 * @param {*} args.participant_id id
 * @param {*} args.currency currency
 * @param {*} args.limit money >= 0, or null to remove it
 * @returns {Promise<object>} ParticipantView (writes)
 */
export const setCreditLimit = (args = {}) => call("set_credit_limit", args);

/**
 * Participants, optionally those whose name, e-mail or phone contains query
 * @param {object} args
 * @param {*} [args.query] text
 * @param {*} [args.limit] integer >= 1
 * @returns {Promise<object>} ParticipantList
 */
export const listParticipants = (args = {}) => call("list_participants", args);

/**
 * Book a quantity of an item of an open deal (approved at once in auto mode)
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} args.participant_id id
 * @param {*} args.item text
 * @param {*} args.quantity integer 1..1000000000
 * @param {*} [args.pickup_point] text
 * @param {*} [args.note] text (multi-line)
 * @returns {Promise<object>} Outcome (writes)
 */
export const book = (args = {}) => call("book", args);

/**
 * Approve a pending booking
 * @param {object} args
 * @param {*} args.booking_id id
 * @returns {Promise<object>} Outcome (writes)
 */
export const approveBooking = (args = {}) => call("approve_booking", args);

/**
 * Reject a pending booking
 * @param {object} args
 * @param {*} args.booking_id id
 * @param {*} [args.reason] text (multi-line)
 * @returns {Promise<object>} Outcome (writes)
 */
export const rejectBooking = (args = {}) => call("reject_booking", args);

/**
 * Cancel a pending or approved booking, refunding what it was charged
 * @param {object} args
 * @param {*} args.booking_id id
 * @param {*} [args.reason] text (multi-line)
 * @param {*} [args.by] participant|organizer
 * @returns {Promise<object>} Outcome (writes)
 */
export const cancelBooking = (args = {}) => call("cancel_booking", args);

/**
 * What cancelling a booking would do: the level after and what each other participant would pay more (nothing is written)
 * @param {object} args
 * @param {*} args.booking_id id
 * @param {*} [args.by] participant|organizer
 * @returns {Promise<object>} CancelPreview (writes)
 */
export const previewCancel = (args = {}) => call("preview_cancel", args);

/**
 * A deal's bookings in booking order
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.status] pending|approved|rejected|cancelled|expired|waitlisted
 * @param {*} [args.offset] integer >= 0
 * @param {*} [args.limit] integer >= 1
 * @returns {Promise<object>} BookingList
 */
export const listBookings = (args = {}) => call("list_bookings", args);

/**
 * Record money received from a participant
 * @param {object} args
 * @param {*} args.participant_id id
 * @param {*} args.currency currency
 * @param {*} args.amount money
 * @param {*} [args.memo] text (multi-line)
 * @param {*} [args.method] text
 * @param {*} [args.deal_id] id
 * @returns {Promise<object>} EntryView (writes)
 */
export const recordPayment = (args = {}) => call("record_payment", args);

/**
 * Record money handed back to a participant
 * @param {object} args
 * @param {*} args.participant_id id
 * @param {*} args.currency currency
 * @param {*} args.amount money
 * @param {*} [args.memo] text (multi-line)
 * @returns {Promise<object>} EntryView (writes)
 */
export const recordPayout = (args = {}) => call("record_payout", args);

/**
 * Undo a payment or payout with the opposite entry
 * @param {object} args
 * @param {*} args.entry_id id
 * @param {*} [args.memo] text (multi-line)
 * @returns {Promise<object>} EntryView (writes)
 */
export const reverseEntry = (args = {}) => call("reverse_entry", args);

/**
 * A participant's wallet entries with the running balance
 * @param {object} args
 * @param {*} args.participant_id id
 * @param {*} args.currency currency
 * @returns {Promise<object>} Statement
 */
export const statement = (args = {}) => call("statement", args);

/**
 * Every wallet balance in a currency (or of one deal's entries)
 * @param {object} args
 * @param {*} args.currency currency
 * @param {*} [args.deal_id] id
 * @returns {Promise<object>} BalanceList
 */
export const balances = (args = {}) => call("balances", args);

/**
 * What ending the deal now would write (nothing is written)
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.offset] integer >= 0
 * @param {*} [args.limit] integer >= 1
 * @returns {Promise<object>} Report
 */
export const previewSettlement = (args = {}) => call("preview_settlement", args);

/**
 * Reputation events and score
 * @param {object} args
 * @param {*} [args.participant_id] id
 * @returns {Promise<object>} Reputation
 */
export const reputation = (args = {}) => call("reputation", args);

/**
 * The notification history, newest first
 * @param {object} args
 * @param {*} [args.limit] integer 1..10000
 * @returns {Promise<object>} EventList
 */
export const notifications = (args = {}) => call("notifications", args);

/**
 * What importing a sign-up sheet would do, row by row: new or existing participant, or the error (nothing is written)
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.csv] string (give csv, the text, or path, a file)
 * @param {*} [args.path] string (give csv, the text, or path, a file)
 * @returns {Promise<object>} SignupsResult (writes)
 */
export const previewSignups = (args = {}) => call("preview_signups", args);

/**
 * Import a sign-up sheet (name, email?, item, quantity, pickup point?, note?): participants and bookings, all or nothing
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.csv] string (give csv, the text, or path, a file)
 * @param {*} [args.path] string (give csv, the text, or path, a file)
 * @returns {Promise<object>} SignupsResult (writes)
 */
export const importSignups = (args = {}) => call("import_signups", args);

/**
 * Review a bank statement: each credit matched by reference code, then by exact amount due; rows imported before are duplicates (nothing is written)
 * @param {object} args
 * @param {*} args.currency currency
 * @param {*} [args.csv] string (give csv, the text, or path, a file)
 * @param {*} [args.path] string (give csv, the text, or path, a file)
 * @param {*} [args.deal_id] id
 * @param {*} [args.assign] [{line, participant_id}]
 * @param {*} [args.skip] [line]
 * @returns {Promise<object>} BankResult (writes)
 */
export const previewBankImport = (args = {}) => call("preview_bank_import", args);

/**
 * Record the matched credits of a bank statement as payments (never a row twice); refused whole if a row has an error
 * @param {object} args
 * @param {*} args.currency currency
 * @param {*} [args.csv] string (give csv, the text, or path, a file)
 * @param {*} [args.path] string (give csv, the text, or path, a file)
 * @param {*} [args.deal_id] id
 * @param {*} [args.assign] [{line, participant_id}]
 * @param {*} [args.skip] [line]
 * @returns {Promise<object>} BankResult (writes)
 */
export const importBank = (args = {}) => call("import_bank", args);

/**
 * Mark an approved booking collected at pickup (or not)
 * @param {object} args
 * @param {*} args.booking_id id
 * @param {*} [args.collected] true|false
 * @returns {Promise<object>} BookingView (writes)
 */
export const markCollected = (args = {}) => call("mark_collected", args);

/**
 * Who collects what at each pickup point, paid or owing
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.pickup_point] text
 * @returns {Promise<object>} PickupLists
 */
export const pickupList = (args = {}) => call("pickup_list", args);

/**
 * The order for the merchant: per item the quantity, final unit price and total, and the organizer commission
 * @param {object} args
 * @param {*} args.deal_id id
 * @returns {Promise<object>} MerchantOrder
 */
export const merchantOrder = (args = {}) => call("merchant_order", args);

/**
 * A participant's settlement arithmetic in a deal: base price, final tier, quantity, deposit, refund or amount due
 * @param {object} args
 * @param {*} args.participant_id id
 * @param {*} args.deal_id id
 * @returns {Promise<object>} DealStatement
 */
export const dealStatement = (args = {}) => call("deal_statement", args);

/**
 * Who owes what across deals, oldest debt first, with a reminder text for each
 * @param {object} args
 * @param {*} [args.currency] currency
 * @returns {Promise<object>} Debts
 */
export const outstanding = (args = {}) => call("outstanding", args);

/**
 * Whom you owe: every wallet with money to hand back (a refund, an overpayment), by name
 * @param {object} args
 * @param {*} [args.currency] currency
 * @returns {Promise<object>} PayoutsDue
 */
export const payoutsDue = (args = {}) => call("payouts_due", args);

/**
 * A message for the participants' chat: the deal, its price now, and how many more units unlock the next tier
 * @param {object} args
 * @param {*} args.deal_id id
 * @returns {Promise<object>} ShareText
 */
export const shareText = (args = {}) => call("share_text", args);

/**
 * Write the merchant order to a CSV or PDF file
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} args.format csv|pdf
 * @param {*} args.path string
 * @param {*} [args.overwrite] true|false
 * @returns {Promise<object>} Exported
 */
export const exportMerchantOrder = (args = {}) => call("export_merchant_order", args);

/**
 * Write the pickup lists (one per pickup point) to a CSV or PDF file
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.pickup_point] text
 * @param {*} args.format csv|pdf
 * @param {*} args.path string
 * @param {*} [args.overwrite] true|false
 * @returns {Promise<object>} Exported
 */
export const exportPickupLists = (args = {}) => call("export_pickup_lists", args);

/**
 * Write a participant's statement for a deal to a CSV or PDF file
 * @param {object} args
 * @param {*} args.participant_id id
 * @param {*} args.deal_id id
 * @param {*} args.format csv|pdf
 * @param {*} args.path string
 * @param {*} [args.overwrite] true|false
 * @returns {Promise<object>} Exported
 */
export const exportStatement = (args = {}) => call("export_statement", args);

/**
 * Write the ledger of a currency (or of one deal or participant) to a CSV or PDF file
 * @param {object} args
 * @param {*} args.currency currency
 * @param {*} [args.deal_id] id
 * @param {*} [args.participant_id] id
 * @param {*} args.format csv|pdf
 * @param {*} args.path string
 * @param {*} [args.overwrite] true|false
 * @returns {Promise<object>} Exported
 */
export const exportLedger = (args = {}) => call("export_ledger", args);

/**
 * Record what the merchant delivered for a settled deal (once): the units missing are refunded at the final price
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} args.delivered [{item, quantity}] (items not listed arrived in full)
 * @param {*} [args.rule] booking_order|proportional
 * @returns {Promise<object>} DeliveryReport (writes)
 */
export const recordDelivery = (args = {}) => call("record_delivery", args);

/**
 * What recording a delivery would do: who loses how many units and their refunds (nothing is written)
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} args.delivered [{item, quantity}] (items not listed arrived in full)
 * @param {*} [args.rule] booking_order|proportional
 * @returns {Promise<object>} DeliveryReport
 */
export const previewDelivery = (args = {}) => call("preview_delivery", args);

/**
 * Repeat a deal: a new draft with the same terms and no bookings
 * @param {object} args
 * @param {*} args.deal_id id
 * @param {*} [args.title] text
 * @param {*} [args.closes_at] RFC 3339 time
 * @param {*} [args.opens_at] RFC 3339 time
 * @returns {Promise<object>} DealView (writes)
 */
export const cloneDeal = (args = {}) => call("clone_deal", args);

/**
 * Copy the whole database, consistent even while others write, to a new file
 * @param {object} args
 * @param {*} args.path string
 * @param {*} [args.overwrite] true|false
 * @returns {Promise<object>} BackedUp
 */
export const backup = (args = {}) => call("backup", args);

/**
 * Replace the database with a checked backup, keeping the replaced file beside it
 * @param {object} args
 * @param {*} args.path string
 * @returns {Promise<object>} Restored (writes)
 */
export const restore = (args = {}) => call("restore", args);
