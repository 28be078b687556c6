//! The command table: the one list of commands that the `bookrun` command
//! line and the desktop window both expose, with the same names and JSON.
//!
//! `execute` is the whole life of one command: settle overdue deals (their
//! own committed transactions), then run the command in one transaction
//! (`BEGIN IMMEDIATE` for writers) that commits only if it succeeds.

use crate::args::Args;
use crate::clock::Time;
use crate::commands::{
    backups, bookings, credit, deals, deliveries, economics, imports, ledger, notifications,
    participants, repeat, reports, reputation, settlement, Ctx,
};
use crate::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};
use serde_json::Value;

/// How a command runs.
#[derive(Clone, Copy)]
enum Handler {
    /// Inside the one transaction `execute` opens (almost every command).
    Tx(fn(&Ctx, &mut Args) -> Result<Value>),
    /// On the connection itself: commands on the whole file (`backup`,
    /// `restore`), which manage their own consistency.
    Connection(fn(&mut Connection, &mut Args, Time) -> Result<Value>),
}

/// One command of the table.
pub struct Command {
    pub name: &'static str,
    /// The arguments, for `--help` (`?` marks optional ones).
    pub args: &'static str,
    /// What it returns, for `--help`.
    pub returns: &'static str,
    pub summary: &'static str,
    /// Whether it writes (and so takes the write lock at once).
    pub writes: bool,
    handler: Handler,
}

macro_rules! command {
    (@make $kind:path, $name:literal, $writes:expr, $handler:path, $args:literal, $returns:literal, $summary:literal) => {
        Command {
            name: $name,
            args: $args,
            returns: $returns,
            summary: $summary,
            writes: $writes,
            handler: $kind($handler),
        }
    };
    (file $($rest:tt)*) => { command!(@make Handler::Connection, $($rest)*) };
    ($($rest:tt)*) => { command!(@make Handler::Tx, $($rest)*) };
}

/// Every command, in the order `--help` lists them.
pub const COMMANDS: &[Command] = &[
    command!("create_deal", true, deals::create_deal,
        "title, currency, closes_at, min_qty, payment, approval, items, tiers, description?, merchant?, opens_at?, allowed_domains?, max_per_participant?, stock?, pickup_points?, commission_percent?",
        "deal", "Create a draft deal with its items and up to 5 tiers"),
    command!("update_deal", true, deals::update_deal,
        "deal_id, and any create_deal fields to change (null clears an optional one)",
        "deal", "Change a draft deal; an open one only in title, description, merchant, pickup points and a later closes_at"),
    command!("open_deal", true, deals::open_deal, "deal_id", "deal",
        "Open a draft deal for bookings (closes_at must be in the future)"),
    command!("end_deal", true, settlement::end_deal, "deal_id", "settlement",
        "End a deal now and settle it (again: report the settlement made)"),
    command!("cancel_deal", true, settlement::cancel_deal, "deal_id, reason?", "deal",
        "Cancel a draft or open deal, refunding everything charged"),
    command!("check_tiers", false, economics::check_tiers, "deal_id, up_to? (at most 100000)",
        "{up_to, items: [{item, losses: [{from, to, worst}], current}]}",
        "Where the tier ladder sells below the merchant's cost, per item with a cost"),
    command!("get_deal", false, deals::get_deal, "deal_id", "deal",
        "A deal with its level, current prices and next tier"),
    command!("list_deals", false, deals::list_deals,
        "status? (draft, open, settled, failed, cancelled)", "[deal]", "All deals, or those in one status"),
    command!("add_participant", true, participants::add_participant,
        "name, email?, phone?, note?", "participant", "Add a participant (e-mails are unique)"),
    command!("set_credit_limit", true, credit::set_credit_limit,
        "participant_id, currency, limit (a decimal string >= 0, or null to remove it)", "participant",
        "Set how far a participant's wallet may owe because of bookings (0.00: pay before booking)"),
    command!("list_participants", false, participants::list_participants, "query?",
        "[participant]", "Participants, optionally those whose name, e-mail or phone contains query"),
    command!("book", true, bookings::book,
        "deal_id, participant_id, item, quantity, pickup_point?, note?", "outcome",
        "Book a quantity of an item of an open deal (approved at once in auto mode)"),
    command!("approve_booking", true, bookings::approve_booking, "booking_id", "outcome",
        "Approve a pending booking"),
    command!("reject_booking", true, bookings::reject_booking, "booking_id, reason?", "outcome",
        "Reject a pending booking"),
    command!("cancel_booking", true, bookings::cancel_booking,
        "booking_id, reason?, by? (participant, organizer)", "outcome",
        "Cancel a pending or approved booking, refunding what it was charged"),
    command!("preview_cancel", true, bookings::preview_cancel, "booking_id, by? (participant, organizer)",
        "{refund, from_level, to_level, event, reputation_events, others}",
        "What cancelling a booking would do: the level after and what each other participant would pay more (nothing is written)"),
    command!("list_bookings", false, bookings::list_bookings,
        "deal_id, status?, offset?, limit?", "[booking]", "A deal's bookings in booking order"),
    command!("record_payment", true, ledger::record_payment,
        "participant_id, currency, amount, method?, memo?, deal_id?", "entry",
        "Record money received from a participant"),
    command!("record_payout", true, ledger::record_payout,
        "participant_id, currency, amount, memo?", "entry", "Record money handed back to a participant"),
    command!("reverse_entry", true, ledger::reverse_entry, "entry_id, memo?", "entry",
        "Undo a payment or payout with the opposite entry"),
    command!("statement", false, ledger::statement, "participant_id, currency", "statement",
        "A participant's wallet entries with the running balance"),
    command!("balances", false, ledger::balances, "currency, deal_id?",
        "[{participant_id, balance}]", "Every wallet balance in a currency (or of one deal's entries)"),
    command!("preview_settlement", false, settlement::preview_settlement, "deal_id, offset?, limit? (of the lines)", "settlement",
        "What ending the deal now would write (nothing is written)"),
    command!("reputation", false, reputation::reputation, "participant_id? (none: the organizer)",
        "{score, events}", "Reputation events and score"),
    command!("notifications", false, notifications::notifications, "limit?", "[event]",
        "The notification history, newest first"),
    // The organizer's toolbox.
    command!("preview_signups", true, imports::preview_signups,
        "deal_id, csv (the CSV text) or path (a file)",
        "{summary, rows, ignored_columns, deal}",
        "What importing a sign-up sheet would do, row by row: new or existing participant, or the error (nothing is written)"),
    command!("import_signups", true, imports::import_signups,
        "deal_id, csv (the CSV text) or path (a file)",
        "{summary, rows, ignored_columns, deal}",
        "Import a sign-up sheet (name, email?, item, quantity, pickup point?, note?): participants and bookings, all or nothing"),
    command!("preview_bank_import", true, imports::preview_bank_import,
        "currency, csv or path, deal_id?, assign? ([{line, participant_id}]), skip? ([line])",
        "{summary, rows, ignored_columns}",
        "Review a bank statement: each credit matched by reference code, then by exact amount due; rows imported before are duplicates (nothing is written)"),
    command!("import_bank", true, imports::import_bank,
        "currency, csv or path, deal_id?, assign? ([{line, participant_id}]), skip? ([line])",
        "{summary, rows, ignored_columns}",
        "Record the matched credits of a bank statement as payments (never a row twice); refused whole if a row has an error"),
    command!("mark_collected", true, reports::mark_collected, "booking_id, collected? (true, false)",
        "booking", "Mark an approved booking collected at pickup (or not)"),
    command!("pickup_list", false, reports::pickup_list, "deal_id, pickup_point?",
        "{points: [{pickup_point, bookings}]}", "Who collects what at each pickup point, paid or owing"),
    command!("merchant_order", false, reports::merchant_order, "deal_id",
        "{items, total, commission}", "The order for the merchant: per item the quantity, final unit price and total, and the organizer commission"),
    command!("deal_statement", false, reports::deal_statement, "participant_id, deal_id",
        "{lines, totals, balance, reference}", "A participant's settlement arithmetic in a deal: base price, final tier, quantity, deposit, refund or amount due"),
    command!("outstanding", false, reports::outstanding, "currency?",
        "[{participant_id, owes, owing_since, reminder}]", "Who owes what across deals, oldest debt first, with a reminder text for each"),
    command!("payouts_due", false, reports::payouts_due, "currency?",
        "[{participant_id, name, owed, currency, deals}]", "Whom you owe: every wallet with money to hand back (a refund, an overpayment), by name"),
    command!("share_text", false, reports::share_text, "deal_id", "{text}",
        "A message for the participants' chat: the deal, its price now, and how many more units unlock the next tier"),
    command!("export_merchant_order", false, reports::export_merchant_order,
        "deal_id, format (csv, pdf), path, overwrite?", "{path, format, rows, bytes}",
        "Write the merchant order to a CSV or PDF file"),
    command!("export_pickup_lists", false, reports::export_pickup_lists,
        "deal_id, pickup_point?, format (csv, pdf), path, overwrite?", "{path, format, rows, bytes}",
        "Write the pickup lists (one per pickup point) to a CSV or PDF file"),
    command!("export_statement", false, reports::export_statement,
        "participant_id, deal_id, format (csv, pdf), path, overwrite?", "{path, format, rows, bytes}",
        "Write a participant's statement for a deal to a CSV or PDF file"),
    command!("export_ledger", false, reports::export_ledger,
        "currency, deal_id?, participant_id?, format (csv, pdf), path, overwrite?", "{path, format, rows, bytes}",
        "Write the ledger of a currency (or of one deal or participant) to a CSV or PDF file"),
    // Deliveries and repeating a deal (SPEC sections 12 and 13).
    command!("record_delivery", true, deliveries::record_delivery,
        "deal_id, delivered ([{item, quantity}]; items not listed arrived in full), rule? (booking_order, proportional)",
        "{items, lines, totals, events}",
        "Record what the merchant delivered for a settled deal (once): the units missing are refunded at the final price"),
    command!("preview_delivery", false, deliveries::preview_delivery,
        "deal_id, delivered ([{item, quantity}]), rule? (booking_order, proportional)",
        "{items, lines, totals}",
        "What recording a delivery would do: who loses how many units and their refunds (nothing is written)"),
    command!("clone_deal", true, repeat::clone_deal, "deal_id, title?, closes_at?, opens_at?",
        "deal", "Repeat a deal: a new draft with the same terms and no bookings"),
    command!(file "backup", false, backups::backup, "path, overwrite?", "{path, bytes, schema_version}",
        "Copy the whole database, consistent even while others write, to a new file"),
    command!(file "restore", true, backups::restore, "path",
        "{restored_from, replaced_kept_at, schema_version}",
        "Replace the database with a checked backup, keeping the replaced file beside it"),
];

/// The command called `name`.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Runs one command against the database: settles overdue deals, then runs
/// the command in one transaction. On error nothing of the command is written.
pub fn execute(conn: &mut Connection, name: &str, args: Value, now: Time) -> Result<Value> {
    let command = find(name).ok_or_else(|| {
        Error::Usage(format!(
            "unknown command {name:?}; `bookrun --help` lists them"
        ))
    })?;
    let mut args = Args::new(args)?;
    // A file to import is read before anything is settled or locked.
    if imports::READ_PATH.contains(&name) {
        imports::preload(&mut args)?;
    }
    settlement::settle_overdue(conn, now)?;
    let handler = match command.handler {
        Handler::Tx(h) => h,
        Handler::Connection(h) => return h(conn, &mut args, now),
    };
    let behavior = if command.writes {
        TransactionBehavior::Immediate
    } else {
        TransactionBehavior::Deferred
    };
    let tx = conn.transaction_with_behavior(behavior)?;
    let result = handler(&Ctx { tx: &tx, now }, &mut args)?;
    tx.commit()?;
    Ok(result)
}
