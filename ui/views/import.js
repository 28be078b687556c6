// Importing a sign-up sheet into a deal: paste the CSV or choose a file,
// preview every row (new participant, existing participant, or the error),
// then import the whole sheet at once. A sheet with an error imports nothing.

import * as api from "../api.js";
import { attempt, load } from "../components/errors.js";
import { csvFileInput } from "../components/files.js";
import { table } from "../components/table.js";
import { el, field, fill, pressed } from "../dom.js";
import { plural, statusBadge } from "../format.js";

export function mount(root, dealId) {
  const heading = el("h1", {}, "Import sign-ups");
  const text = el("textarea", { id: "signup-csv", rows: 8, "data-test": "signup-csv", spellcheck: "false", class: "csv-text" });
  const file = csvFileInput("signup-file", text);
  const result = el("div", { "data-test": "signup-preview" });
  const status = el("p", { class: "form-status", role: "status", "data-test": "import-status" });
  let previewed = null;

  const form = el(
    "form",
    { class: "panel", onsubmit: (e) => (e.preventDefault(), preview()) },
    el(
      "p",
      { class: "hint" },
      "Columns: name, email (optional), item, quantity, pickup point (optional), note (optional). ",
      "Header names in any case; comma or semicolon; other columns are ignored.",
    ),
    field("Choose a CSV file", file),
    field("Or paste the sign-up sheet", text),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "primary", "data-test": "preview-signups" }, "Preview"), status),
  );
  root.append(
    el("header", { class: "page-head" }, heading, el("a", { href: `#/deals/${dealId}`, class: "button secondary" }, "Back to the deal")),
    form,
    result,
  );
  text.addEventListener("input", () => {
    previewed = null;
    fill(result);
    fill(status);
  });

  async function preview() {
    fill(status);
    const p = await attempt(() => api.previewSignups({ deal_id: dealId, csv: text.value }), form);
    if (!p) return;
    previewed = text.value;
    const s = p.summary;
    const ok = s.errors === 0 && s.rows > 0;
    fill(
      result,
      el(
        "section",
        { class: "panel", "aria-labelledby": "preview-h" },
        el("h2", { id: "preview-h" }, "Preview"),
        el(
          "p",
          { "data-test": "signup-summary" },
          `${plural(s.rows, "row")}: ${plural(s.new_participants, "new participant")}, ${plural(s.existing_participants, "existing participant")}, ${plural(s.errors, "error")}`,
          s.waitlisted ? `, ${s.waitlisted} on the waitlist` : "",
          ". ",
          `After the import the deal has ${p.deal.approved_qty} approved and ${p.deal.pending_qty} pending.`,
        ),
        p.ignored_columns.length ? el("p", { class: "hint" }, `Ignored columns: ${p.ignored_columns.join(", ")}`) : null,
        table({
          test: "signup-rows",
          caption: "Rows of the sheet",
          rows: p.rows,
          rowAttrs: (r) => ({ "data-test": `signup-row-${r.line}`, class: r.status === "error" ? "row-error" : null }),
          columns: [
            { label: "Line", num: true, cell: (r) => String(r.line) },
            { label: "Name", cell: (r) => r.name },
            { label: "E-mail", cell: (r) => r.email },
            { label: "Item", cell: (r) => r.item },
            { label: "Qty", num: true, cell: (r) => String(r.quantity) },
            { label: "Pickup", cell: (r) => r.pickup_point || "" },
            {
              label: "Participant",
              className: "wrap",
              cell: (r) =>
                r.status === "error"
                  ? el("span", { class: "danger-text" }, r.error)
                  : r.status === "new"
                    ? "new participant"
                    : r.added_on_line
                      ? `new (line ${r.added_on_line})`
                      : "existing participant",
            },
            { label: "Booking", cell: (r) => (r.booking_status ? statusBadge(r.booking_status) : "") },
          ],
        }),
        el(
          "div",
          { class: "form-actions" },
          el(
            "button",
            { type: "button", class: "primary", "data-test": "import-signups", disabled: !ok, onclick: (e) => pressed(e.currentTarget, commit) },
            `Import ${plural(s.rows, "row")}`,
          ),
          ok ? null : el("span", { class: "warning" }, "Fix the rows with errors first: a sheet is imported whole or not at all."),
        ),
      ),
    );
  }

  async function commit() {
    if (previewed === null) return;
    const r = await attempt(() => api.importSignups({ deal_id: dealId, csv: previewed }), form);
    if (!r) return;
    text.value = "";
    previewed = null;
    fill(result);
    const s = r.summary;
    fill(
      status,
      `Imported ${plural(s.rows, "row")}: ${plural(s.new_participants, "new participant")}. `,
      el("a", { href: `#/deals/${dealId}`, "data-test": "back-to-deal" }, "See the deal"),
    );
  }

  load(() => api.getDeal({ deal_id: dealId })).then((d) => {
    if (d) heading.textContent = `Import sign-ups into “${d.title}”`;
  });
  return {};
}
