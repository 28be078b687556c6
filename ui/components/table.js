// The one table builder. Columns: {label, cell(row) -> node|text, num?, className?}.
// Numeric columns (money, quantities) are right-aligned with tabular digits;
// wide tables scroll inside their wrapper, never the page.

import { el } from "../dom.js";

function cellClass(col) {
  return [col.num ? "num" : "", col.className || ""].join(" ").trim() || null;
}

export function table({ columns, rows, empty = "Nothing yet.", caption, rowAttrs, foot, test }) {
  if (!rows.length) return el("p", { class: "empty", "data-test": test ? `empty-${test}` : null }, empty);
  return el(
    "div",
    { class: "table-wrap" },
    el(
      "table",
      { "data-test": test || null },
      caption ? el("caption", { class: "sr-only" }, caption) : null,
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", class: cellClass(c) }, c.label)))),
      el(
        "tbody",
        {},
        rows.map((row) =>
          el("tr", rowAttrs ? rowAttrs(row) : {}, columns.map((c) => el("td", { class: cellClass(c) }, c.cell(row)))),
        ),
      ),
      foot
        ? el("tfoot", {}, el("tr", {}, columns.map((c, i) => el(i === 0 ? "th" : "td", { class: cellClass(c), scope: i === 0 ? "row" : null }, foot[i] ?? ""))))
        : null,
    ),
  );
}
