//! Imports from CSV: a sign-up sheet (participants and their bookings) and a
//! bank statement (payments matched to participants).
//!
//! Both read the file the same way: UTF-8 with or without a byte order
//! mark, comma or semicolon separated (whichever the header line has more
//! of), header names matched ignoring case and spaces, unknown columns
//! ignored (and listed). Each has a preview that runs the whole import
//! inside a savepoint and rolls it back, so what it shows is exactly what
//! the import would do, and the import itself, which is all or nothing.

use super::bookings::{self, Book};
use super::deals;
use super::ledger::{self, Kind, NewEntry};
use super::{participants, Ctx};
use crate::args::{
    check_multiline, check_text, Args, CurrencyCode, Field, Id, Opt, Raw, Request, MAX_LINE,
};
use crate::deal::MAX_QTY;
use crate::error::{Collect, Error, Result};
use crate::files;
use crate::money::Currency;
use crate::store::{self, bank_rows, entries, rows::savepoint};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The largest file read (text), and the most rows in it.
const MAX_BYTES: usize = 20 * 1024 * 1024;
const MAX_ROWS: usize = 100_000;

/// The commands that read a file named by `path`.
pub const READ_PATH: &[&str] = &[
    "preview_signups",
    "import_signups",
    "preview_bank_import",
    "import_bank",
];

/// Reads the file named by `path` (when `csv` is not given too) before the
/// command's write transaction begins, so a slow or hostile file never holds
/// the database's write lock: a regular file only (a folder, a device or a
/// pipe is refused at once), at most 20 MB, read through a bounded reader.
pub fn preload(args: &mut Args) -> Result<()> {
    if args.peek("csv").is_some() {
        return Ok(());
    }
    if let Some(serde_json::Value::String(p)) = args.peek("path") {
        let p = p.clone();
        let text = read_file(&args.field("path"), &p)?;
        args.set_preloaded(text);
    }
    Ok(())
}

fn read_file(field: &str, p: &str) -> Result<String> {
    let bytes = files::read_bounded(field, p, MAX_BYTES as u64)?;
    String::from_utf8(bytes).map_err(|_| Error::validation(field, format!("{p} is not UTF-8 text")))
}

/// The CSV text of an import: `csv` (the text itself) or `path` (a file to
/// read), exactly one of them.
fn read_source(args: &mut Args) -> Result<String> {
    // Both are read before either is refused: the other is no unknown field.
    let text = args.opt_str("csv");
    let path = args.opt_str("path");
    match (text?, path?) {
        (Some(_), Some(_)) => Err(Error::validation(
            args.field("path"),
            "give either csv (the text) or path (a file), not both",
        )),
        (None, None) => Err(Error::validation(
            args.field("csv"),
            "is required (the CSV text), or give path (a file to read)",
        )),
        (Some(t), None) => {
            if t.len() > MAX_BYTES {
                return Err(Error::validation(args.field("csv"), "is larger than 20 MB"));
            }
            Ok(t)
        }
        (None, Some(p)) => match args.take_preloaded() {
            Some(text) => Ok(text),
            None => read_file(&args.field("path"), &p),
        },
    }
}

/// A parsed CSV file: its columns (lower-cased) and its records with the
/// line each starts on.
struct Sheet {
    columns: Vec<String>,
    records: Vec<(u64, csv::StringRecord)>,
}

fn normalize_header(h: &str) -> String {
    h.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_sheet(field: &str, text: &str) -> Result<Sheet> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        Error::validation(field, format!("line {line}: not readable as CSV ({e})"))
    };
    let columns: Vec<String> = rd
        .headers()
        .map_err(bad)?
        .iter()
        .map(normalize_header)
        .collect();
    if columns.iter().all(String::is_empty) {
        return Err(Error::validation(
            field,
            "is empty: the first line must name the columns",
        ));
    }
    let mut records = vec![];
    // Line numbers as an editor shows them (the csv crate does not count
    // blank lines): newlines before the record's first byte, plus one.
    let (mut at, mut line) = (0usize, 1u64);
    for r in rd.records() {
        let r = r.map_err(bad)?;
        if r.iter().all(str::is_empty) {
            continue;
        }
        let mut start = r.position().map_or(at, |p| p.byte() as usize).max(at);
        // The reported start may be that of blank lines skipped before it.
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += text.as_bytes()[at..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        at = start;
        if records.len() == MAX_ROWS {
            return Err(Error::validation(
                field,
                format!("has more than {MAX_ROWS} rows"),
            ));
        }
        records.push((line, r));
    }
    Ok(Sheet { columns, records })
}

impl Sheet {
    /// The index of the first column named one of `names`.
    fn find(&self, names: &[&str]) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| names.contains(&c.as_str()))
    }

    fn require(&self, field: &str, names: &[&str]) -> Result<usize> {
        self.find(names).ok_or_else(|| {
            Error::validation(
                field,
                format!(
                    "has no {:?} column (its columns: {})",
                    names[0],
                    self.columns.join(", ")
                ),
            )
        })
    }

    /// Columns none of `known` uses, to tell the organizer they were ignored.
    fn ignored(&self, used: &[Option<usize>]) -> Vec<String> {
        (0..self.columns.len())
            .filter(|i| !used.contains(&Some(*i)))
            .map(|i| self.columns[i].clone())
            .filter(|c| !c.is_empty())
            .collect()
    }
}

fn cell(r: &csv::StringRecord, col: Option<usize>) -> &str {
    col.and_then(|i| r.get(i)).unwrap_or("")
}

/// Runs `body` in a savepoint: kept when it succeeds, else rolled back.
fn in_savepoint<T>(ctx: &Ctx, body: impl FnOnce() -> Result<T>) -> Result<T> {
    savepoint(ctx.tx, "import_row", true, body)
}

/// The first rows with errors (`(line, error)`), as the refusal of an
/// all-or-nothing import.
/// A row of an import's review: its line in the file and its error, if any.
trait Reviewed {
    fn line(&self) -> u64;
    fn error(&self) -> Option<&str>;
}

fn refuse_errors(field: &str, rows: &[impl Reviewed], what: &str) -> Result<()> {
    let errors: Vec<(u64, &str)> = rows
        .iter()
        .filter_map(|r| Some((r.line(), r.error()?)))
        .collect();
    if let Some((line, error)) = errors.first() {
        return Err(Error::validation(
            field,
            format!(
                "line {line}: {error}{}; nothing was {what} (preview the file to see every row)",
                match errors.len() {
                    1 => String::new(),
                    n => format!(" (and {} more rows with errors)", n - 1),
                }
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Sign-ups

const NAME: &[&str] = &["name", "participant", "full name"];
const EMAIL: &[&str] = &["email", "e mail", "mail", "email address"];
const ITEM: &[&str] = &["item", "product", "article"];
const QUANTITY: &[&str] = &["quantity", "qty", "amount", "count"];
const PICKUP: &[&str] = &["pickup point", "pickup", "pick up point"];
const NOTE: &[&str] = &["note", "notes", "comment", "comments"];

/// One sign-up row's participant: found by e-mail (ignoring case), else by
/// the exact name of the one participant without e-mail who has it;
/// otherwise created.
fn participant_for(ctx: &Ctx, name: &str, email: Option<&str>) -> Result<(i64, bool)> {
    let found: Option<i64> = match email {
        Some(e) => store::participants::id_by_email_key(ctx.tx, &e.to_lowercase())?,
        None => {
            let ids = store::participants::named_without_email(ctx.tx, name)?;
            if ids.len() == 1 {
                Some(ids[0])
            } else {
                None
            }
        }
    };
    if let Some(id) = found {
        return Ok((id, false));
    }
    let email_key = email.map(str::to_lowercase);
    let id = store::participants::insert(
        ctx.tx,
        &store::participants::NewParticipant {
            name,
            email,
            email_key: email_key.as_deref(),
            phone: None,
            note: None,
            created_at: &ctx.now_text(),
        },
    )?;
    Ok((id, true))
}

/// What a sign-up row did: its participant (new or found) and its booking.
struct Signed {
    new: bool,
    participant_id: i64,
    booking_id: i64,
    booking_status: String,
    item: String,
    quantity: i64,
}

fn signup_row(
    ctx: &Ctx,
    deal: &mut deals::Deal,
    cols: &[Option<usize>; 6],
    r: &csv::StringRecord,
) -> Result<Signed> {
    let name = check_text("name", cell(r, cols[0]), MAX_LINE, false)?;
    let email = check_text("email", cell(r, cols[1]), MAX_LINE, true)?;
    let email = (!email.is_empty()).then_some(email);
    if let Some(e) = &email {
        participants::check_email("email", e)?;
    }
    let item = check_text("item", cell(r, cols[2]), MAX_LINE, false)?;
    let qty_text = cell(r, cols[3]);
    let quantity: i64 = qty_text
        .parse()
        .ok()
        .filter(|q| (1..=MAX_QTY).contains(q))
        .ok_or_else(|| {
            Error::validation(
                "quantity",
                format!("{qty_text:?} is not a whole number from 1 to {MAX_QTY}"),
            )
        })?;
    let pickup = check_text("pickup_point", cell(r, cols[4]), MAX_LINE, true)?;
    let note = check_multiline("note", cell(r, cols[5]))?;
    let (participant_id, new) = participant_for(ctx, &name, email.as_deref())?;
    // The terms stay; the totals move with every row (and with rows rolled back).
    (deal.approved_qty, deal.pending_qty) = store::deals::quantities(ctx.tx, deal.id)?;
    let req = Book {
        deal_id: deal.id,
        participant_id,
        item,
        quantity,
        pickup_point: (!pickup.is_empty()).then_some(pickup),
        note: (!note.is_empty()).then_some(note),
    };
    let (booking_id, _) = bookings::place(ctx, deal, &req)?;
    let b = bookings::load(ctx.tx, booking_id)?;
    Ok(Signed {
        new,
        participant_id,
        booking_id,
        booking_status: b.status.as_str().to_string(),
        item: deal.terms.items[b.item].name.clone(),
        quantity,
    })
}

/// What became of a sign-up row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignupStatus {
    /// Booked for a participant it created.
    New,
    /// Booked for a participant there already was (or an earlier row created).
    Existing,
    Error,
}

/// The quantity of a sign-up row: the number booked, or the cell as
/// written when the row was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Quantity {
    Booked(i64),
    AsWritten(String),
}

/// A sign-up row: its cells as read, and what it did or why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignupRow {
    pub line: u64,
    pub name: String,
    pub email: String,
    /// The item's name in the deal once booked, else the cell.
    pub item: String,
    pub quantity: Quantity,
    pub pickup_point: String,
    pub status: SignupStatus,
    /// The line of the earlier row that created its participant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_on_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Reviewed for SignupRow {
    fn line(&self) -> u64 {
        self.line
    }
    fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// The counts of a sign-up import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignupSummary {
    pub rows: usize,
    pub new_participants: usize,
    pub existing_participants: usize,
    pub errors: usize,
    pub waitlisted: usize,
    /// The units booked.
    pub quantity: i64,
}

/// What a sign-up import did (or would do), row by row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignupsResult {
    pub deal_id: i64,
    pub imported: bool,
    pub ignored_columns: Vec<String>,
    pub summary: SignupSummary,
    pub rows: Vec<SignupRow>,
    pub deal: deals::DealView,
}

/// Imports (or, with `keep` false, previews) a sign-up sheet.
fn signups(ctx: &Ctx, req: Signups, keep: bool) -> Result<SignupsResult> {
    let Signups { deal_id, text } = req;
    let mut deal = deals::load(ctx.tx, deal_id)?;
    deal.require_open("import bookings")?;
    let field = "csv";
    let sheet = parse_sheet(field, &text)?;
    let cols = [
        Some(sheet.require(field, NAME)?),
        sheet.find(EMAIL),
        Some(sheet.require(field, ITEM)?),
        Some(sheet.require(field, QUANTITY)?),
        sheet.find(PICKUP),
        sheet.find(NOTE),
    ];
    let mut rows = vec![];
    let mut created: HashMap<i64, u64> = HashMap::new();
    {
        for (line, r) in &sheet.records {
            // A preview undoes each failing row, so the rows after it see
            // what the import would; the import itself refuses the whole
            // file on any error, so it needs no savepoint per row.
            let res = if keep {
                signup_row(ctx, &mut deal, &cols, r)
            } else {
                in_savepoint(ctx, || signup_row(ctx, &mut deal, &cols, r))
            };
            let mut row = SignupRow {
                line: *line,
                name: cell(r, cols[0]).to_string(),
                email: cell(r, cols[1]).to_string(),
                item: cell(r, cols[2]).to_string(),
                quantity: Quantity::AsWritten(cell(r, cols[3]).to_string()),
                pickup_point: cell(r, cols[4]).to_string(),
                status: SignupStatus::Error,
                added_on_line: None,
                participant_id: None,
                booking_id: None,
                booking_status: None,
                error: None,
            };
            match res {
                Ok(v) => {
                    row.status = if v.new {
                        SignupStatus::New
                    } else {
                        SignupStatus::Existing
                    };
                    if v.new {
                        created.insert(v.participant_id, *line);
                    } else if let Some(first) = created.get(&v.participant_id) {
                        row.added_on_line = Some(*first);
                    }
                    row.participant_id = Some(v.participant_id);
                    row.booking_id = Some(v.booking_id);
                    row.booking_status = Some(v.booking_status);
                    row.item = v.item;
                    row.quantity = Quantity::Booked(v.quantity);
                }
                Err(e) => {
                    row.status = SignupStatus::Error;
                    row.error = Some(e.to_string());
                }
            }
            rows.push(row);
        }
    }
    if keep {
        refuse_errors(field, &rows, "imported")?;
    }
    let count = |s: SignupStatus| rows.iter().filter(|r| r.status == s).count();
    let summary = SignupSummary {
        rows: rows.len(),
        new_participants: count(SignupStatus::New),
        existing_participants: count(SignupStatus::Existing),
        errors: count(SignupStatus::Error),
        waitlisted: rows
            .iter()
            .filter(|r| r.booking_status.as_deref() == Some("waitlisted"))
            .count(),
        quantity: rows
            .iter()
            .filter_map(|r| match r.quantity {
                Quantity::Booked(q) => Some(q),
                Quantity::AsWritten(_) => None,
            })
            .sum::<i64>(),
    };
    let deal_after = deals::load(ctx.tx, deal_id)?.view();
    Ok(SignupsResult {
        deal_id,
        imported: keep,
        ignored_columns: sheet.ignored(&cols),
        summary,
        rows,
        deal: deal_after,
    })
}

pub fn preview_signups(ctx: &Ctx, req: Signups) -> Result<SignupsResult> {
    preview(ctx, |ctx| signups(ctx, req, false))
}

pub fn import_signups(ctx: &Ctx, req: Signups) -> Result<SignupsResult> {
    signups(ctx, req, true)
}

/// Runs an import as a preview: everything it writes is rolled back.
fn preview<T>(ctx: &Ctx, body: impl FnOnce(&Ctx) -> Result<T>) -> Result<T> {
    savepoint(ctx.tx, "preview", false, || body(ctx))
}

// ---------------------------------------------------------------------------
// Bank statements

const DATE: &[&str] = &["date", "booking date", "value date", "transaction date"];
const AMOUNT: &[&str] = &["amount", "credit", "value"];
const REFERENCE: &[&str] = &[
    "reference",
    "description",
    "memo",
    "purpose",
    "details",
    "text",
    "remittance information",
];
const PAYER: &[&str] = &["name", "payer", "counterparty", "from", "sender"];

/// A bank amount: `12.50`, `12,50`, `+12.50`; a leading `-` is a debit
/// (returned negative). No thousands separators.
fn bank_amount(c: Currency, text: &str) -> Result<i64> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.contains(',') && digits.contains('.') {
        return Err(Error::validation(
            "amount",
            format!("{text:?}: write amounts without thousands separators"),
        ));
    }
    let plain = digits.replace(',', ".");
    let minor = c.parse_amount("amount", &plain)?;
    Ok(if neg { -minor } else { minor })
}

/// The hash that recognises a row imported before: every field as read,
/// the currency, and how many identical rows came before it in the file
/// (two equal transfers on one day are two payments).
fn row_hash(c: Currency, r: &csv::StringRecord, occurrence: usize) -> String {
    let mut h = Sha256::new();
    h.update(c.code().as_bytes());
    for f in r.iter() {
        h.update([0x1f]);
        h.update(f.as_bytes());
    }
    h.update(format!("\x1e{occurrence}").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Who a credit is from: the one participant whose reference code is in
/// the reference (or name) text, else the one participant who owes exactly
/// the amount in the currency.
fn match_credit(
    ctx: &Ctx,
    c: Currency,
    amount: i64,
    text: &str,
) -> Result<Result<(i64, &'static str), String>> {
    let mut ids = vec![];
    for id in participants::references_in(text) {
        if participants::require(ctx.tx, id).is_ok() {
            ids.push(id);
        }
    }
    match ids.len() {
        1 => return Ok(Ok((ids[0], "reference"))),
        0 => {}
        _ => {
            return Ok(Err(format!(
                "the reference names several participants ({})",
                ids.iter()
                    .map(|i| participants::reference(*i))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }
    let owing = entries::wallets_at(ctx.tx, c.code(), -amount, 3)?;
    Ok(match owing.len() {
        1 => Ok((owing[0], "amount_due")),
        0 => Err(format!(
            "no reference code, and nobody owes exactly {} {}",
            c.format(amount),
            c.code()
        )),
        _ => Err(format!(
            "no reference code, and several participants owe exactly {} {}",
            c.format(amount),
            c.code()
        )),
    })
}

/// Imports (or, with `keep` false, previews) a bank statement.
/// A sign-up sheet for a deal.
#[derive(Debug, Clone)]
pub struct Signups {
    pub deal_id: i64,
    /// The CSV text (given, or read from `path`).
    pub text: String,
}

/// A CSV text given as `csv`, or a file named by `path` (read before the
/// transaction).
pub struct CsvOrPath;
impl crate::args::Shape for CsvOrPath {
    const TY: &'static str = "string (give csv, the text, or path, a file)";
}

fn source_fields() -> [Field; 2] {
    [
        Field::of::<Opt<Raw<CsvOrPath>>>("csv"),
        Field::of::<Opt<Raw<CsvOrPath>>>("path"),
    ]
}

impl Request for Signups {
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        let mut f = vec![Field::of::<Id>("deal_id")];
        f.extend(source_fields());
        f
    }
    fn read(args: &mut Args) -> Result<Self> {
        let mut all = Collect::default();
        let deal_id = all.take(args.req_id("deal_id"))?;
        let text = all.take(read_source(args))?;
        all.finish()?;
        Ok(Signups {
            deal_id: Collect::kept(deal_id)?,
            text: Collect::kept(text)?,
        })
    }
}

/// A bank statement to match.
#[derive(Debug, Clone)]
pub struct Bank {
    pub currency: Currency,
    pub text: String,
    pub deal_id: Option<i64>,
    /// `(field, line, participant_id)` of each `assign`.
    pub assign: Vec<(String, u64, i64)>,
    /// `(field, line)` of each `skip`.
    pub skip: Vec<(String, u64)>,
}

pub struct AssignShape;
impl crate::args::Shape for AssignShape {
    const TY: &'static str = "[{line, participant_id}]";
}
pub struct SkipShape;
impl crate::args::Shape for SkipShape {
    const TY: &'static str = "[line]";
}

impl Request for Bank {
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        let mut f = vec![Field::of::<CurrencyCode>("currency")];
        f.extend(source_fields());
        f.push(Field::of::<Opt<Id>>("deal_id"));
        f.push(Field::of::<Opt<Raw<AssignShape>>>("assign"));
        f.push(Field::of::<Opt<Raw<SkipShape>>>("skip"));
        f
    }
    fn read(args: &mut Args) -> Result<Self> {
        let mut all = Collect::default();
        let currency = all.take(args.req_currency("currency"))?;
        let text = all.take(read_source(args))?;
        let deal_id = all.take(args.opt_id("deal_id"))?;
        let assign = all.take(args.opt_array("assign", |f, v| {
            let mut a = Args::element(f, v)?;
            let line = a.req_int_in("line", 1, i64::MAX)?;
            let pid = a.req_id("participant_id")?;
            a.finish()?;
            Ok((f.to_string(), line as u64, pid))
        }))?;
        let skip = all.take(args.opt_array("skip", |f, v| match v.as_u64() {
            Some(l) if l >= 1 => Ok((f.to_string(), l)),
            _ => Err(Error::validation(f, "must be a line number")),
        }))?;
        all.finish()?;
        Ok(Bank {
            currency: Collect::kept(currency)?,
            text: Collect::kept(text)?,
            deal_id: Collect::kept(deal_id)?,
            assign: Collect::kept(assign)?.unwrap_or_default(),
            skip: Collect::kept(skip)?.unwrap_or_default(),
        })
    }
}

/// What became of a bank statement row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BankStatus {
    /// Recorded (or, in a preview, to be recorded) as a payment.
    Matched,
    /// A credit no participant was found for.
    Unmatched,
    /// A row recorded by an earlier import.
    Duplicate,
    /// Money out (or nothing): not a payment.
    Debit,
    /// Left out at the organizer's request.
    Skipped,
    Error,
}

/// A bank statement row: its cells as read, and what it did or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankRow {
    pub line: u64,
    pub date: String,
    /// The credit formatted in the currency, else the cell as written.
    pub amount: String,
    pub reference: String,
    pub name: String,
    pub status: BankStatus,
    /// The credit in minor units, once read.
    #[serde(skip)]
    pub credit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When a duplicate was imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_at: Option<String>,
    /// Why a credit is unmatched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<i64>,
    /// The matched participant's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    /// "reference", "amount_due" or "assigned".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<&'static str>,
    /// The payment recorded (by the import, not a preview).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_after: Option<String>,
}

impl Reviewed for BankRow {
    fn line(&self) -> u64 {
        self.line
    }
    fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// The counts of a bank import, and the sum of its matched credits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankSummary {
    pub rows: usize,
    pub matched: usize,
    pub unmatched: usize,
    pub duplicates: usize,
    pub debits: usize,
    pub skipped: usize,
    pub errors: usize,
    pub amount: String,
}

/// What a bank import did (or would do), row by row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankResult {
    pub currency: &'static str,
    pub recorded: bool,
    pub ignored_columns: Vec<String>,
    pub summary: BankSummary,
    pub rows: Vec<BankRow>,
}

/// Imports (or, with `keep` false, previews) a bank statement.
fn bank(ctx: &Ctx, req: Bank, keep: bool) -> Result<BankResult> {
    let Bank {
        currency,
        text,
        deal_id,
        assign,
        skip,
    } = req;
    ledger::check_deal_currency(ctx, deal_id, currency)?;
    let field = "csv";
    let sheet = parse_sheet(field, &text)?;
    let cols = [
        Some(sheet.require(field, DATE)?),
        Some(sheet.require(field, AMOUNT)?),
        sheet.find(REFERENCE),
        sheet.find(PAYER),
    ];
    if cols[2].is_none() && cols[3].is_none() {
        return Err(Error::validation(
            field,
            format!(
                "has neither a \"reference\" nor a \"name\" column (its columns: {})",
                sheet.columns.join(", ")
            ),
        ));
    }
    let lines: Vec<u64> = sheet.records.iter().map(|(l, _)| *l).collect();
    for (f, line, pid) in &assign {
        if !lines.contains(line) {
            return Err(Error::validation(
                format!("{f}.line"),
                format!("the file has no row on line {line}"),
            ));
        }
        participants::require(ctx.tx, *pid)?;
    }
    for (f, line) in &skip {
        if !lines.contains(line) {
            return Err(Error::validation(
                f.as_str(),
                format!("the file has no row on line {line}"),
            ));
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = vec![];
    let now = ctx.now_text();
    for (line, r) in &sheet.records {
        let (date, amount_text, reference, payer) = (
            cell(r, cols[0]),
            cell(r, cols[1]),
            cell(r, cols[2]),
            cell(r, cols[3]),
        );
        let key = r.iter().collect::<Vec<_>>().join("\x1f");
        let occurrence = {
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            *n
        };
        let hash = row_hash(currency, r, occurrence);
        let mut row = BankRow {
            line: *line,
            date: date.to_string(),
            amount: amount_text.to_string(),
            reference: reference.to_string(),
            name: payer.to_string(),
            status: BankStatus::Error,
            credit: None,
            error: None,
            imported_at: None,
            reason: None,
            participant_id: None,
            participant: None,
            matched_by: None,
            entry_id: None,
            balance_after: None,
        };
        let assigned = assign.iter().find(|a| a.1 == *line).map(|a| a.2);
        row.status = (|| -> Result<BankStatus> {
            if skip.iter().any(|s| s.1 == *line) {
                return Ok(BankStatus::Skipped);
            }
            if date.is_empty() {
                row.error = Some("date: is empty".into());
                return Ok(BankStatus::Error);
            }
            let amount = match bank_amount(currency, amount_text) {
                Ok(a) => a,
                Err(e) => {
                    row.error = Some(e.to_string());
                    return Ok(BankStatus::Error);
                }
            };
            if amount <= 0 {
                return Ok(BankStatus::Debit);
            }
            row.amount = currency.format(amount);
            row.credit = Some(amount);
            if let Some(at) = bank_rows::imported_at(ctx.tx, &hash)? {
                row.imported_at = Some(at);
                return Ok(BankStatus::Duplicate);
            }
            let (pid, how) = match assigned {
                Some(p) => (p, "assigned"),
                None => match match_credit(ctx, currency, amount, &format!("{reference} {payer}"))?
                {
                    Ok(m) => m,
                    Err(why) => {
                        row.reason = Some(why);
                        return Ok(BankStatus::Unmatched);
                    }
                },
            };
            let name = participants::require(ctx.tx, pid)?.name;
            let memo = format!("bank statement {date}: {reference}")
                .chars()
                .take(1000)
                .collect::<String>();
            let entry = ledger::post(
                ctx,
                &NewEntry {
                    kind: Kind::Payment,
                    participant_id: pid,
                    deal_id,
                    booking_id: None,
                    currency,
                    amount,
                    settlement: false,
                    method: Some("bank transfer"),
                    memo: Some(memo.trim()),
                },
            )?;
            bank_rows::insert(
                ctx.tx,
                &bank_rows::NewBankRow {
                    hash: &hash,
                    entry_id: entry,
                    booked_on: date,
                    currency: currency.code(),
                    amount,
                    reference,
                    imported_at: &now,
                },
            )?;
            row.participant_id = Some(pid);
            row.participant = Some(name);
            row.matched_by = Some(how);
            // A preview's entries are rolled back: it names none.
            row.entry_id = keep.then_some(entry);
            row.balance_after =
                Some(currency.format(ledger::wallet_balance(ctx.tx, pid, currency)?));
            Ok(BankStatus::Matched)
        })()?;
        rows.push(row);
    }
    if keep {
        refuse_errors(field, &rows, "recorded")?;
    }
    let count = |s: BankStatus| rows.iter().filter(|r| r.status == s).count();
    let recorded = crate::money::sum(
        rows.iter()
            .filter(|r| r.status == BankStatus::Matched)
            .filter_map(|r| r.credit),
    )?;
    Ok(BankResult {
        currency: currency.code(),
        recorded: keep,
        ignored_columns: sheet.ignored(&cols),
        summary: BankSummary {
            rows: rows.len(),
            matched: count(BankStatus::Matched),
            unmatched: count(BankStatus::Unmatched),
            duplicates: count(BankStatus::Duplicate),
            debits: count(BankStatus::Debit),
            skipped: count(BankStatus::Skipped),
            errors: count(BankStatus::Error),
            amount: currency.format(recorded),
        },
        rows,
    })
}

pub fn preview_bank_import(ctx: &Ctx, req: Bank) -> Result<BankResult> {
    preview(ctx, |ctx| bank(ctx, req, false))
}

pub fn import_bank(ctx: &Ctx, req: Bank) -> Result<BankResult> {
    bank(ctx, req, true)
}
