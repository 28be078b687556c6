// The deal page's booking panels: the booking form, the approval queue and
// the paged bookings table with the cancel flow (preview_cancel first).

import * as api from "../api.js";
import { confirmDialog } from "../components/dialog.js";
import { attempt, load } from "../components/errors.js";
import { table } from "../components/table.js";
import { el, field, fill, onSubmit, pressed, refreshSelect } from "../dom.js";
import { groupAmountsIn, levelName, money, moneyEl, plural, reputationEl, statusBadge } from "../format.js";
import { participantPicker } from "../components/participant-picker.js";

const PAGE = 50;

/** What a booking's entries charged so far ("—" for nothing, which is not money owed). */
function chargedEl(b) {
  if (/^0(\.0+)?$/.test(String(b.charged)) && !["approved"].includes(b.status)) return el("span", { class: "muted" }, "—");
  return moneyEl(b.charged);
}

/** `owes` / `owed` of a booking when the core sends them. */
function owesEl(b, currency) {
  if (b.owes !== undefined && b.owes !== null && !/^0(\.0+)?$/.test(b.owes)) return el("span", {}, "owes ", moneyEl(b.owes, currency));
  if (b.owed !== undefined && b.owed !== null && !/^0(\.0+)?$/.test(b.owed)) return el("span", {}, "is owed ", moneyEl(b.owed, currency));
  return el("span", { class: "muted" }, "—");
}

/** The words under the bookings: what "Charged" means at this point of the deal. */
function chargedHint(deal) {
  if (deal.status === "open") {
    return deal.payment.mode === "deposit"
      ? `Charged: the deposit (${deal.payment.percent}% of the base price) each approval took from the participant's wallet. The rest, at the final tier price, is charged when the deal ends. Payments received are on the Money page.`
      : "Charged: what each approval took from the participant's wallet, at the base price. When the deal ends at a tier, the difference to the final price goes back as a price reduction. Payments received are on the Money page.";
  }
  if (deal.status === "settled") return "Charged: everything the booking's entries took from the wallet, settlement included. What each participant still owes or is owed, after payments, is on the Money page.";
  return "Charged: what the booking's entries took from the wallet; the deal ended without a sale, so all of it was given back.";
}

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

/** What a booking outcome's events say, for the confirmation line. */
function eventsText(events) {
  return (events || [])
    .map((e) => {
      if (e.message) return groupAmountsIn(e.message);
      if (e.kind === "minimum_reached") return "The deal reached its minimum.";
      if (e.kind === "tier_reached") return `The deal reached ${levelName(e.to_level)}.`;
      return "";
    })
    .filter(Boolean)
    .join(" ");
}

function bookingForm(dealId, people, done) {
  const item = el("select", { id: "book-item", "data-field": "item" });
  const quantity = el("input", { type: "text", id: "book-quantity", inputmode: "numeric", value: "1", class: "num-input", "data-field": "quantity", autocomplete: "off" });
  const pickup = el("select", { id: "book-pickup", "data-field": "pickup_point" });
  const pickupField = field("Pickup point", pickup);
  const note = el("input", { type: "text", id: "book-note", "data-field": "note", autocomplete: "off" });
  const status = el("p", { class: "form-status", role: "status", "data-test": "book-status" });
  const picker = participantPicker({
    remember: (p) => people.remember(p),
    onPick: () => {
      fill(status);
      (item.options.length > 1 ? item : quantity).focus();
    },
  });
  picker.input.removeAttribute("data-field");
  const participantField = el(
    "div",
    { class: "field", "data-field": "participant_id" },
    el("label", { for: "book-participant" }, "Participant"),
    picker.node,
    picker.chosen,
  );
  const form = el(
    "form",
    { class: "inline-form", "data-test": "book-form", novalidate: true },
    el(
      "div",
      { class: "grid-book" },
      participantField,
      field("Item", item),
      field("Quantity", quantity),
      pickupField,
      el("div", { class: "span-3" }, field("Note", note)),
    ),
    picker.newBox,
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "primary", "data-test": "book" }, "Book"), status),
  );
  // Enter pressed twice, or a double click, books once.
  onSubmit(form, async () => {
    fill(status);
    const q = quantity.value.trim();
    const args = { deal_id: dealId, item: item.value, quantity: /^-?\d{1,15}$/.test(q) ? Number(q) : q };
    if (picker.value() !== null) args.participant_id = picker.value();
    if (pickup.value) args.pickup_point = pickup.value;
    if (note.value.trim()) args.note = note.value;
    const outcome = await attempt(() => api.book(args), form);
    if (!outcome) return;
    const b = outcome.booking;
    const name = people.map.get(b.participant_id)?.name ?? `participant ${b.participant_id}`;
    const state =
      b.status === "approved"
        ? `approved, charged ${money(b.charged, outcome.deal?.currency)}`
        : b.status === "pending"
          ? "waiting for your approval in the queue below"
          : b.status;
    fill(status, `Booked #${b.id} for ${name}: ${b.quantity} × ${b.item}, ${state}. ${eventsText(outcome.events)}`.trim());
    quantity.value = "1";
    note.value = "";
    picker.clear();
    picker.focus();
    done();
  });
  const update = (deal) => {
    refreshSelect(item, deal.items.map((i, k) => [i.name, `${i.name} (${money(deal.current_prices[k], deal.currency)} now)`]));
    refreshSelect(pickup, [["", "None"], ...deal.pickup_points.map((p) => [p, p])]);
    pickupField.hidden = deal.pickup_points.length === 0;
  };
  return { form, update, focus: () => picker.focus() };
}

/**
 * The booking panels of deal `dealId`: `form` (the Book panel, placed near
 * the top of the page) and `nodes` (the queue and the list); `update(deal)`
 * redraws their data, with names from `cache` (components/people.js).
 */
export function bookingPanels(dealId, refresh, cache) {
  const formBox = el(
    "section",
    { class: "panel book-panel", "aria-labelledby": "book-h", "data-test": "book-panel" },
    el("div", { class: "panel-head" }, el("h2", { id: "book-h" }, "Book"), el("p", { class: "hint" }, "Press B anywhere on this page to come back here.")),
  );
  const queueBox = el("section", { class: "panel", "aria-labelledby": "queue-h", "data-test": "approval-queue" });
  const listBox = el("section", { class: "panel", "aria-labelledby": "bookings-h" });
  const formSlot = el("div");
  formBox.append(formSlot);
  let form = null;
  let offset = 0;

  function renderForm(deal) {
    formBox.hidden = !["draft", "open"].includes(deal.status);
    if (deal.status !== "open") {
      form = null;
      fill(formSlot, el("p", { class: "empty" }, "Open the deal to take bookings."));
      return;
    }
    if (!form) {
      form = bookingForm(dealId, cache, refresh);
      fill(formSlot, form.form);
    }
    form.update(deal);
  }

  /** Brings the Book form into view and puts the cursor in the participant search. */
  function goToForm() {
    if (formBox.hidden || !form) return false;
    formBox.scrollIntoView({ block: "start" });
    form.focus();
    return true;
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
          { label: "Reputation", num: true, cell: (b) => reputationEl(b.participant_reputation ?? people.get(b.participant_id)?.reputation) },
          { label: "Item", cell: (b) => b.item },
          { label: "Qty", num: true, cell: (b) => String(b.quantity) },
          { label: "Note", cell: (b) => b.note ?? "" },
          {
            label: "Decision",
            cell: (b) =>
              el(
                "div",
                { class: "row-actions" },
                el("button", { type: "button", class: "primary small", "data-test": `approve-${b.id}`, onclick: (e) => pressed(e.currentTarget, async () => (await attempt(() => api.approveBooking({ booking_id: b.id }))) && refresh()) }, "Approve"),
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
      el(
        "div",
        { class: "panel-head" },
        el("h2", { id: "bookings-h" }, "Bookings"),
        deal.status === "open" ? el("button", { type: "button", class: "secondary small", "data-test": "go-book-list", onclick: goToForm }, "Book…") : null,
      ),
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
          { label: `Charged (${deal.currency})`, num: true, cell: (b) => chargedEl(b) },
          // Fields the core may add: what the booking costs at the current
          // price, and what its participant owes (or is owed) for it.
          ...(rows.some((b) => b.current_total !== undefined)
            ? [{ label: `At the current price (${deal.currency})`, num: true, cell: (b) => moneyEl(b.current_total) }]
            : []),
          ...(rows.some((b) => b.owes !== undefined || b.owed !== undefined)
            ? [{ label: "Owes / owed", num: true, cell: (b) => owesEl(b, deal.currency) }]
            : []),
          {
            label: "",
            cell: (b) =>
              b.can_cancel
                ? el("button", { type: "button", class: "secondary small", "data-test": `cancel-${b.id}`, onclick: () => cancelFlow(b, deal, people, refresh) }, "Cancel")
                : "",
          },
        ],
      }),
      rows.length ? el("p", { class: "hint", "data-test": "charged-hint" }, chargedHint(deal)) : null,
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

  async function update(deal) {
    renderForm(deal);
    const [pending, page, waiting] = await Promise.all([
      load(() => api.listBookings({ deal_id: dealId, status: "pending" })),
      load(() => api.listBookings({ deal_id: dealId, offset, limit: PAGE + 1 })),
      load(() => api.listBookings({ deal_id: dealId, status: "waitlisted" })),
    ]);
    if (!(await cache.ensure([...(pending || []), ...(page || []), ...(waiting || [])]))) return;
    const people = cache.map;
    if (pending) renderQueue(deal, people, pending);
    if (page && waiting) renderList(deal, people, page, waiting);
  }

  return { form: formBox, nodes: [queueBox, listBox], update, goToForm };
}
