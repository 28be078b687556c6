// The deal page's booking panels: the booking form, the approval queue and
// the paged bookings table with the cancel flow (preview_cancel first).

import * as api from "../api.js";
import { confirmDialog } from "../components/dialog.js";
import { attempt, load } from "../components/errors.js";
import { table } from "../components/table.js";
import { el, field, fill, refreshSelect } from "../dom.js";
import { levelName, money, moneyEl, plural, reputationEl, statusBadge } from "../format.js";

const PAGE = 50;

const who = (people, id) => people.get(id)?.name ?? `Participant ${id}`;
const personLink = (people, id) => el("a", { href: `#/participants/${id}` }, who(people, id));

/** The warning text of a cancellation that lowers the level. */
function stepDownText(p, deal, people) {
  const drop = `Cancelling drops the deal from ${levelName(p.from_level)} to ${levelName(p.to_level)}`;
  const more = p.others.map((o) => `${o.name} pays ${money(o.pays_more, deal.currency)} more`);
  let text = more.length ? `${drop}: ${more.join(", ")}.` : `${drop}.`;
  if (p.others.length > 1) text += ` In all ${money(p.total_more, deal.currency)} more.`;
  text +=
    p.reputation_events > 0
      ? ` ${who(people, p.participant_id)} gets ${plural(p.reputation_events, "reputation penalty", "reputation penalties")}.`
      : " No reputation penalty: cancelled by the organizer.";
  return text;
}

async function cancelFlow(booking, deal, people, done) {
  const byOrganizer = el("input", { type: "checkbox", id: "cancel-by-organizer", "data-test": "cancel-by-organizer" });
  const reason = el("textarea", { id: "cancel-reason", rows: 2 });
  const refund = el("p", { "data-test": "cancel-refund" });
  const warning = el("p", { class: "warning", "data-test": "step-down-warning", hidden: true });
  const by = () => (byOrganizer.checked ? "organizer" : "participant");
  const preview = async () => {
    const p = await attempt(() => api.previewCancel({ booking_id: booking.id, by: by() }));
    if (!p) return false;
    fill(refund, `${who(people, booking.participant_id)} gets a refund of ${money(p.refund, deal.currency)}.`);
    warning.hidden = !(p.to_level < p.from_level);
    fill(warning, warning.hidden ? "" : stepDownText(p, deal, people));
    return true;
  };
  if (!(await preview())) return;
  byOrganizer.addEventListener("change", preview);
  const ok = await confirmDialog({
    title: `Cancel booking #${booking.id}?`,
    test: "cancel-dialog",
    confirmTest: "confirm-cancel",
    confirmLabel: "Cancel booking",
    cancelLabel: "Keep booking",
    danger: true,
    body: [
      el("p", {}, `${who(people, booking.participant_id)}: ${booking.quantity} × ${booking.item} (${booking.status}).`),
      refund,
      warning,
      el("div", { class: "check" }, byOrganizer, el("label", { for: "cancel-by-organizer" }, "Cancelled by the organizer (no reputation penalty)")),
      field("Reason (optional)", reason),
    ],
  });
  if (!ok) return;
  const args = { booking_id: booking.id, by: by() };
  if (reason.value.trim()) args.reason = reason.value;
  if (await attempt(() => api.cancelBooking(args))) done();
}

async function rejectFlow(booking, people, done) {
  const reason = el("textarea", { id: "reject-reason", rows: 2 });
  const ok = await confirmDialog({
    title: `Reject booking #${booking.id}?`,
    test: "reject-dialog",
    confirmTest: "confirm-reject",
    confirmLabel: "Reject",
    danger: true,
    body: [el("p", {}, `${who(people, booking.participant_id)}: ${booking.quantity} × ${booking.item}.`), field("Reason (optional)", reason)],
  });
  if (!ok) return;
  const args = { booking_id: booking.id };
  if (reason.value.trim()) args.reason = reason.value;
  if (await attempt(() => api.rejectBooking(args))) done();
}

function bookingForm(dealId, done) {
  const participant = el("select", { id: "book-participant", "data-field": "participant_id", required: true });
  const item = el("select", { id: "book-item", "data-field": "item" });
  const quantity = el("input", { type: "text", id: "book-quantity", inputmode: "numeric", value: "1", class: "num-input", "data-field": "quantity", autocomplete: "off" });
  const pickup = el("select", { id: "book-pickup", "data-field": "pickup_point" });
  const pickupField = field("Pickup point", pickup);
  const note = el("input", { type: "text", id: "book-note", "data-field": "note", autocomplete: "off" });
  const status = el("p", { class: "form-status", role: "status", "data-test": "book-status" });
  const form = el(
    "form",
    { class: "inline-form", "data-test": "book-form", novalidate: true },
    el(
      "div",
      { class: "grid-book" },
      field("Participant", participant),
      field("Item", item),
      field("Quantity", quantity),
      pickupField,
      el("div", { class: "span-3" }, field("Note", note)),
    ),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "primary", "data-test": "book" }, "Book"), status),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(status);
    const q = quantity.value.trim();
    const args = { deal_id: dealId, item: item.value, quantity: /^\d{1,15}$/.test(q) ? Number(q) : q };
    if (participant.value) args.participant_id = Number(participant.value);
    if (pickup.value) args.pickup_point = pickup.value;
    if (note.value.trim()) args.note = note.value;
    const outcome = await attempt(() => api.book(args), form);
    if (!outcome) return;
    fill(status, `Booking #${outcome.booking.id}: ${outcome.booking.quantity} × ${outcome.booking.item}, ${outcome.booking.status}.`);
    quantity.value = "1";
    note.value = "";
    done();
  });
  const update = (deal, people) => {
    refreshSelect(participant, [["", "Choose…"], ...[...people.values()].map((p) => [p.id, p.email ? `${p.name} <${p.email}>` : p.name])]);
    refreshSelect(item, deal.items.map((i, k) => [i.name, `${i.name} (${money(deal.current_prices[k])})`]));
    refreshSelect(pickup, [["", "None"], ...deal.pickup_points.map((p) => [p, p])]);
    pickupField.hidden = deal.pickup_points.length === 0;
  };
  return { form, update };
}

/** The booking panels of deal `dealId`; `update(deal, people)` redraws their data. */
export function bookingPanels(dealId, refresh) {
  const formBox = el("section", { class: "panel", "aria-labelledby": "book-h" }, el("h2", { id: "book-h" }, "Book"));
  const queueBox = el("section", { class: "panel", "aria-labelledby": "queue-h", "data-test": "approval-queue" });
  const listBox = el("section", { class: "panel", "aria-labelledby": "bookings-h" });
  const formSlot = el("div");
  formBox.append(formSlot);
  let form = null;
  let offset = 0;

  function renderForm(deal, people) {
    formBox.hidden = !["draft", "open"].includes(deal.status);
    if (deal.status !== "open") {
      form = null;
      fill(formSlot, el("p", { class: "empty" }, "Open the deal to take bookings."));
      return;
    }
    if (!form) {
      form = bookingForm(dealId, refresh);
      fill(formSlot, form.form);
    }
    form.update(deal, people);
  }

  function renderQueue(deal, people, pending) {
    queueBox.hidden = pending.length === 0 && !(deal.approval === "manual" && deal.status === "open");
    fill(
      queueBox,
      el("h2", { id: "queue-h" }, `Approval queue (${pending.length})`),
      table({
        test: "queue",
        caption: "Pending bookings",
        empty: "No booking waits for approval.",
        rows: pending,
        rowAttrs: (b) => ({ "data-test": `queue-${b.id}` }),
        columns: [
          { label: "#", num: true, cell: (b) => String(b.id) },
          { label: "Participant", cell: (b) => personLink(people, b.participant_id) },
          { label: "Reputation", num: true, cell: (b) => reputationEl(people.get(b.participant_id)?.reputation) },
          { label: "Item", cell: (b) => b.item },
          { label: "Qty", num: true, cell: (b) => String(b.quantity) },
          { label: "Note", cell: (b) => b.note ?? "" },
          {
            label: "Decision",
            cell: (b) =>
              el(
                "div",
                { class: "row-actions" },
                el("button", { type: "button", class: "primary small", "data-test": `approve-${b.id}`, onclick: async () => (await attempt(() => api.approveBooking({ booking_id: b.id }))) && refresh() }, "Approve"),
                el("button", { type: "button", class: "secondary small", "data-test": `reject-${b.id}`, onclick: () => rejectFlow(b, people, refresh) }, "Reject"),
              ),
          },
        ],
      }),
    );
  }

  function renderList(deal, people, page, waiting) {
    const rows = page.slice(0, PAGE);
    fill(
      listBox,
      el("h2", { id: "bookings-h" }, "Bookings"),
      waiting.length
        ? el(
            "p",
            { class: "notice", "data-test": "waitlist" },
            `Waitlist, in order: ${waiting.map((b) => `#${b.id} ${who(people, b.participant_id)} (${b.quantity} × ${b.item})`).join(", ")}. `,
            "When a cancellation frees stock, the first booking that fits moves up.",
          )
        : null,
      table({
        test: "bookings",
        caption: "Bookings",
        empty: offset ? "No more bookings." : "No bookings yet.",
        rows,
        rowAttrs: (b) => ({ "data-test": `booking-${b.id}` }),
        columns: [
          { label: "#", num: true, cell: (b) => String(b.id) },
          { label: "Participant", cell: (b) => personLink(people, b.participant_id) },
          { label: "Item", cell: (b) => b.item },
          { label: "Qty", num: true, cell: (b) => String(b.quantity) },
          { label: "Pickup", className: "wrap", cell: (b) => b.pickup_point ?? "" },
          { label: "Status", cell: (b) => statusBadge(b.status) },
          { label: `Charged (${deal.currency})`, num: true, cell: (b) => moneyEl(b.charged) },
          {
            label: "",
            cell: (b) =>
              b.can_cancel
                ? el("button", { type: "button", class: "secondary small", "data-test": `cancel-${b.id}`, onclick: () => cancelFlow(b, deal, people, refresh) }, "Cancel")
                : "",
          },
        ],
      }),
      el(
        "div",
        { class: "pager" },
        el("button", { type: "button", class: "secondary small", "data-test": "bookings-prev", disabled: offset === 0, onclick: () => turn(-PAGE) }, "Previous"),
        el("span", { class: "muted" }, rows.length ? `${offset + 1}–${offset + rows.length}` : ""),
        el("button", { type: "button", class: "secondary small", "data-test": "bookings-next", disabled: page.length <= PAGE, onclick: () => turn(PAGE) }, "Next"),
      ),
    );
  }

  function turn(delta) {
    offset = Math.max(0, offset + delta);
    refresh();
  }

  async function update(deal, people) {
    renderForm(deal, people);
    const [pending, page, waiting] = await Promise.all([
      load(() => api.listBookings({ deal_id: dealId, status: "pending" })),
      load(() => api.listBookings({ deal_id: dealId, offset, limit: PAGE + 1 })),
      load(() => api.listBookings({ deal_id: dealId, status: "waitlisted" })),
    ]);
    if (pending) renderQueue(deal, people, pending);
    if (page && waiting) renderList(deal, people, page, waiting);
  }

  return { nodes: [formBox, queueBox, listBox], update };
}
