//! The export formats: reports as tables, and the two files they are exported to: CSV (the `csv`
//! crate) and PDF (`pdf-writer`, with the standard Helvetica font so nothing
//! is embedded; text outside Windows-1252 prints as `?`). Files are written
//! atomically: a temporary file in the same folder, synced, then renamed.
//!
//! PDF layout is in whole points, integers only (the workspace forbids float
//! arithmetic); values become `f32` only where pdf-writer takes them.

use crate::error::{Error, Result};
use crate::files;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A report: a title, some lines about it, a header and rows of text, and
/// an optional totals row. Several tables make one file (pickup lists: one
/// per pickup point).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub title: String,
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    /// Columns aligned to the right (amounts, quantities).
    #[serde(skip)]
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    pub totals: Option<Vec<String>>,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[(&str, bool)]) -> Table {
        Table {
            title: title.into(),
            columns: columns.iter().map(|c| c.0.to_string()).collect(),
            right: columns.iter().map(|c| c.1).collect(),
            ..Table::default()
        }
    }
}

crate::words! {
    /// The two export formats.
    pub enum Format("export format") {
        Csv = "csv",
        Pdf = "pdf",
    }
}

/// CSV: one header row (the first table's columns, with a `section` column
/// first when there are several tables), then every row; totals rows are
/// marked `total` in the first column.
pub fn to_csv(tables: &[Table]) -> Result<Vec<u8>> {
    let many = tables.len() > 1;
    let mut w = csv::Writer::from_writer(vec![]);
    let csv_err = |e: csv::Error| Error::Storage(format!("cannot write the CSV: {e}"));
    if let Some(first) = tables.first() {
        let mut header: Vec<&str> = vec![];
        if many {
            header.push("section");
        }
        header.extend(first.columns.iter().map(String::as_str));
        let header: Vec<_> = header.iter().map(|c| files::csv_cell(c, false)).collect();
        w.write_record(header.iter().map(|c| c.as_ref()))
            .map_err(csv_err)?;
    }
    for t in tables {
        let rows = t.rows.iter().map(|r| (r, false));
        let totals = t.totals.iter().map(|r| (r, true));
        for (row, is_total) in rows.chain(totals) {
            // Formula-safe: text cells that a spreadsheet would run get a
            // leading `'`; numbers in amount and quantity columns stay numbers.
            let mut rec: Vec<std::borrow::Cow<'_, str>> = vec![];
            if many {
                rec.push(files::csv_cell(&t.title, false));
            }
            for (i, cell) in row.iter().enumerate() {
                rec.push(if is_total && i == 0 && cell.is_empty() {
                    "total".into()
                } else {
                    files::csv_cell(cell, t.right.get(i).copied().unwrap_or(false))
                });
            }
            w.write_record(rec.iter().map(|c| c.as_ref()))
                .map_err(csv_err)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::Storage(format!("cannot write the CSV: {e}")))
}

// ---------------------------------------------------------------------------
// PDF

/// A4 landscape, in points.
const PAGE_W: i32 = 842;
const PAGE_H: i32 = 595;
const MARGIN: i32 = 36;
const SIZE: i32 = 9;
const TITLE_SIZE: i32 = 14;
const LEADING: i32 = 13;
const PAD: i32 = 12;

/// Helvetica's advance widths (1/1000 em) for ASCII 32..=126.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Windows-1252 bytes of a text (what WinAnsiEncoding prints); other
/// characters become `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '\t' | '\n' | '\r' => b' ',
            c if (c as u32) < 0x20 => b' ',
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Width of a text at `size` points, in whole points (rounded up).
fn width(bytes: &[u8], size: i32) -> i32 {
    let em: i32 = bytes
        .iter()
        .map(|&b| match b {
            32..=126 => i32::from(HELVETICA[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    (em * size + 999) / 1000
}

/// A text cut to fit `max` points, with an ellipsis when cut.
fn fit(text: &str, max: i32, size: i32) -> Vec<u8> {
    let mut bytes = win_ansi(text);
    if width(&bytes, size) <= max {
        return bytes;
    }
    let dots = width(&[0x85], size);
    while !bytes.is_empty() && width(&bytes, size) + dots > max {
        bytes.pop();
    }
    bytes.push(0x85);
    bytes
}

/// Column widths: each column's widest cell (header included), shrunk in
/// proportion when the whole does not fit the page.
fn column_widths(t: &Table) -> Vec<i32> {
    let n = t.columns.len();
    // Headers and totals are bold: about a tenth wider than the metrics.
    let bold = |s: &str| width(&win_ansi(s), SIZE) * 11 / 10 + PAD;
    let mut w: Vec<i32> = t.columns.iter().map(|c| bold(c)).collect();
    for row in &t.rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            w[i] = w[i].max(width(&win_ansi(cell), SIZE) + PAD);
        }
    }
    if let Some(row) = &t.totals {
        for (i, cell) in row.iter().enumerate().take(n) {
            w[i] = w[i].max(bold(cell));
        }
    }
    let avail = PAGE_W - 2 * MARGIN;
    let total: i32 = w.iter().sum();
    if total > avail {
        for x in &mut w {
            *x = (*x * avail / total).max(PAD + 4);
        }
    }
    w
}

struct Page {
    content: Content,
    y: i32,
}

struct Writer {
    pages: Vec<Page>,
    font: Name<'static>,
    bold: Name<'static>,
}

impl Writer {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.new_page();
        }
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Page {
            content: Content::new(),
            y: PAGE_H - MARGIN,
        });
    }

    /// Makes room for `h` points, starting a new page when needed.
    fn room(&mut self, h: i32) {
        if self.page().y - h < MARGIN {
            self.new_page();
        }
    }

    fn text(&mut self, x: i32, bytes: &[u8], size: i32, bold: bool) {
        let font = if bold { self.bold } else { self.font };
        let page = self.page();
        let y = page.y;
        page.content
            .begin_text()
            .set_font(font, size as f32)
            .next_line(x as f32, y as f32)
            .show(Str(bytes))
            .end_text();
    }

    fn rule(&mut self, y: i32) {
        self.page()
            .content
            .set_line_width(0.5)
            .move_to(MARGIN as f32, y as f32)
            .line_to((PAGE_W - MARGIN) as f32, y as f32)
            .stroke();
    }

    fn row(&mut self, cells: &[String], widths: &[i32], right: &[bool], bold: bool) {
        self.room(LEADING);
        let mut x = MARGIN;
        for (i, w) in widths.iter().enumerate() {
            let cell = cells.get(i).map_or("", String::as_str);
            let bytes = fit(cell, w - PAD, SIZE);
            let at = if right.get(i).copied().unwrap_or(false) {
                x + w - PAD - width(&bytes, SIZE)
            } else {
                x
            };
            self.text(at, &bytes, SIZE, bold);
            x += w;
        }
        self.page().y -= LEADING;
    }

    fn table(&mut self, t: &Table) {
        let t = &for_reading(t);
        self.room(TITLE_SIZE + LEADING * 3);
        self.text(
            MARGIN,
            &fit(&t.title, PAGE_W - 2 * MARGIN, TITLE_SIZE),
            TITLE_SIZE,
            true,
        );
        self.page().y -= TITLE_SIZE + 6;
        for note in &t.notes {
            self.room(LEADING);
            self.text(MARGIN, &fit(note, PAGE_W - 2 * MARGIN, SIZE), SIZE, false);
            self.page().y -= LEADING;
        }
        self.page().y -= 4;
        let widths = column_widths(t);
        self.row(&t.columns, &widths, &t.right, true);
        let y = self.page().y + LEADING - 3;
        self.rule(y);
        for r in &t.rows {
            self.row(r, &widths, &t.right, false);
        }
        if let Some(totals) = &t.totals {
            let y = self.page().y + LEADING - 3;
            self.rule(y);
            self.row(totals, &widths, &t.right, true);
        }
        self.page().y -= LEADING;
    }
}

/// A table as people read it on paper: amounts (right-aligned cells, and
/// decimals in the notes) with their digits grouped ("103,900.00"). The
/// CSV keeps plain numbers for spreadsheets.
fn for_reading(t: &Table) -> Table {
    let group_cells = |row: &Vec<String>| -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, c)| {
                if t.right.get(i).copied().unwrap_or(false) {
                    crate::money::group_digits(c)
                } else {
                    c.clone()
                }
            })
            .collect()
    };
    let group_words = |text: &String| -> String {
        text.split(' ')
            .map(|w| {
                let end = w.trim_end_matches([',', ';', ':', '.', ')']);
                if end.contains('.') {
                    format!("{}{}", crate::money::group_digits(end), &w[end.len()..])
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    Table {
        title: t.title.clone(),
        notes: t.notes.iter().map(group_words).collect(),
        columns: t.columns.clone(),
        right: t.right.clone(),
        rows: t.rows.iter().map(group_cells).collect(),
        totals: t.totals.as_ref().map(group_cells),
    }
}

/// A PDF of the tables, one after another, with page numbers.
pub fn to_pdf(title: &str, tables: &[Table]) -> Vec<u8> {
    let mut w = Writer {
        pages: vec![],
        font: Name(b"F1"),
        bold: Name(b"F2"),
    };
    for t in tables {
        w.table(t);
    }
    if w.pages.is_empty() {
        w.new_page();
    }
    let count = w.pages.len();
    for (i, p) in w.pages.iter_mut().enumerate() {
        let footer = win_ansi(&format!("{title} - page {} of {count}", i + 1));
        p.content
            .begin_text()
            .set_font(Name(b"F1"), 7.0)
            .next_line(MARGIN as f32, (MARGIN - 16) as f32)
            .show(Str(&footer))
            .end_text();
    }
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(first + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(count as i32);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Book & Run"));
    for (name, id, base) in [
        (b"F1", font, &b"Helvetica"[..]),
        (b"F2", bold, &b"Helvetica-Bold"[..]),
    ] {
        let _ = name;
        pdf.type1_font(id)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, p) in w.pages.into_iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W as f32, PAGE_H as f32));
        page.parent(tree);
        page.contents(content_id);
        {
            let mut res = page.resources();
            let mut fonts = res.fonts();
            fonts.pair(Name(b"F1"), font);
            fonts.pair(Name(b"F2"), bold);
            fonts.finish();
        }
        page.finish();
        pdf.stream(content_id, &p.content.finish());
    }
    pdf.finish()
}

// ---------------------------------------------------------------------------
// Files

/// Where an export goes: a checked path (see `files::check_target`) and
/// whether an existing file there may be replaced.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    pub overwrite: bool,
}

impl Target {
    /// Checks `path` as an export target of the database at `db` (see
    /// `files::check_target`).
    pub fn check(field: &str, path: &str, db: Option<&Path>, overwrite: bool) -> Result<Target> {
        Ok(Target {
            path: files::check_target(field, path, db, overwrite)?,
            overwrite,
        })
    }
}

/// Renders the tables in `format` and writes them to the target (an
/// exclusive temporary file beside it, synced, renamed; private, 0600);
/// returns what was written.
pub fn write(target: &Target, format: Format, title: &str, tables: &[Table]) -> Result<Exported> {
    let bytes = match format {
        Format::Csv => to_csv(tables)?,
        Format::Pdf => to_pdf(title, tables),
    };
    let path = &target.path;
    files::write_atomic(path, &bytes, target.overwrite)?;
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(Exported {
        path: abs.display().to_string(),
        format,
        rows: tables.iter().map(|t| t.rows.len()).sum::<usize>(),
        bytes: bytes.len(),
    })
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The file, its path made absolute.
    pub path: String,
    pub format: Format,
    /// Data rows (totals not counted).
    pub rows: usize,
    pub bytes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new("Order", &[("item", false), ("total", true)]);
        t.rows.push(vec!["model #1".into(), "29500.00".into()]);
        t.rows.push(vec!["Crème brûlée, 2 €".into(), "7.00".into()]);
        t.totals = Some(vec![String::new(), "29507.00".into()]);
        t
    }

    #[test]
    fn csv_quotes_and_marks_totals() {
        let csv = String::from_utf8(to_csv(&[sample()]).unwrap()).unwrap();
        assert_eq!(
            csv,
            "item,total\nmodel #1,29500.00\n\"Crème brûlée, 2 €\",7.00\ntotal,29507.00\n"
        );
    }

    #[test]
    fn pdf_is_a_pdf_with_the_text_in_win_ansi() {
        let pdf = to_pdf("Order", &[sample()]);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Helvetica"), "font");
        assert!(text.contains("WinAnsiEncoding"));
        // "2 €" is 32 20 80 in Windows-1252, written as a hex string
        // (content streams are not compressed).
        assert!(text.to_lowercase().contains("322080"), "{text}");
        // Amounts read on paper have their digits grouped (the CSV keeps
        // plain numbers).
        assert!(text.contains("29,507.00"), "{text}");
        assert!(!text.contains("29507.00"));
    }

    #[test]
    fn long_cells_are_cut_to_fit() {
        let long = "x".repeat(500);
        let cut = fit(&long, 100, SIZE);
        assert!(width(&cut, SIZE) <= 100);
        assert_eq!(cut.last(), Some(&0x85));
        assert_eq!(win_ansi("日本"), b"??");
    }

    #[test]
    fn many_rows_make_many_pages() {
        let mut t = Table::new("Long", &[("n", true)]);
        t.rows = (0..200).map(|i| vec![i.to_string()]).collect();
        let pdf = String::from_utf8_lossy(&to_pdf("Long", &[t])).into_owned();
        // 523 points of page height, 13 per row: 38 or so rows a page.
        let pages = pdf.matches("/MediaBox").count();
        assert!((5..=7).contains(&pages), "{pages} pages");
        assert!(pdf.contains(&format!("page {pages} of {pages}")));
        assert!(pdf.contains("(199)"), "the last row is there");
    }

    #[test]
    fn atomic_write_replaces_only_when_asked_and_refuses_missing_folders() {
        use crate::files::{check_target, write_atomic};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_atomic(&p, b"one", false).unwrap();
        let e = write_atomic(&p, b"two", false).unwrap_err();
        assert_eq!(e.code(), "conflict");
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = p.to_str().unwrap();
        assert_eq!(
            check_target("path", text, None, false).unwrap_err().code(),
            "conflict"
        );
        assert!(check_target("path", text, None, true).is_ok());
        let missing = dir.path().join("nope/a.csv");
        let e = check_target("path", missing.to_str().unwrap(), None, false).unwrap_err();
        assert!(e.to_string().starts_with("path: the folder"), "{e}");
        let e = check_target("path", dir.path().to_str().unwrap(), None, false).unwrap_err();
        assert_eq!(e.code(), "validation");
        assert!(check_target("path", "", None, false).is_err());
    }

    #[test]
    fn csv_text_cells_cannot_run_as_formulas() {
        let mut t = Table::new("T", &[("name", false), ("amount", true)]);
        t.rows
            .push(vec!["=HYPERLINK(\"http://x\")".into(), "-12.50".into()]);
        t.rows.push(vec!["@SUM(1+1)".into(), "+3".into()]);
        t.totals = Some(vec!["".into(), "-12.50".into()]);
        let csv = String::from_utf8(to_csv(&[t]).unwrap()).unwrap();
        assert_eq!(
            csv,
            "name,amount\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.50\n'@SUM(1+1),'+3\ntotal,-12.50\n"
        );
    }
}
