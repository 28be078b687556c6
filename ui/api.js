// The commands of the back end, one function each, with the JSON arguments of
// SPEC section 8. Failures reject with `{code, message, field?}`.

function tauri() {
  const t = window.__TAURI__;
  if (!t || !t.core) {
    throw { code: "storage", message: "The Book & Run back end is not available in this window." };
  }
  return t;
}

/** Runs one command. */
export async function call(name, args = {}) {
  try {
    return await tauri().core.invoke(name, args);
  } catch (err) {
    if (err && typeof err === "object" && "message" in err) throw err;
    throw { code: "storage", message: String(err) };
  }
}

export const createDeal = (args) => call("create_deal", args);
export const updateDeal = (args) => call("update_deal", args);
export const openDeal = (args) => call("open_deal", args);
export const endDeal = (args) => call("end_deal", args);
export const cancelDeal = (args) => call("cancel_deal", args);
export const checkTiers = (args) => call("check_tiers", args);
export const getDeal = (args) => call("get_deal", args);
export const listDeals = (args) => call("list_deals", args);
export const addParticipant = (args) => call("add_participant", args);
export const setCreditLimit = (args) => call("set_credit_limit", args);
export const listParticipants = (args) => call("list_participants", args);
export const book = (args) => call("book", args);
export const approveBooking = (args) => call("approve_booking", args);
export const rejectBooking = (args) => call("reject_booking", args);
export const cancelBooking = (args) => call("cancel_booking", args);
export const previewCancel = (args) => call("preview_cancel", args);
export const listBookings = (args) => call("list_bookings", args);
export const recordPayment = (args) => call("record_payment", args);
export const recordPayout = (args) => call("record_payout", args);
export const reverseEntry = (args) => call("reverse_entry", args);
export const statement = (args) => call("statement", args);
export const balances = (args) => call("balances", args);
export const previewSettlement = (args) => call("preview_settlement", args);
export const reputation = (args) => call("reputation", args);
export const notifications = (args) => call("notifications", args);
export const previewSignups = (args) => call("preview_signups", args);
export const importSignups = (args) => call("import_signups", args);
export const previewBankImport = (args) => call("preview_bank_import", args);
export const importBank = (args) => call("import_bank", args);
export const markCollected = (args) => call("mark_collected", args);
export const pickupList = (args) => call("pickup_list", args);
export const merchantOrder = (args) => call("merchant_order", args);
export const dealStatement = (args) => call("deal_statement", args);
export const outstanding = (args) => call("outstanding", args);
export const payoutsDue = (args) => call("payouts_due", args);
export const shareText = (args) => call("share_text", args);
export const exportMerchantOrder = (args) => call("export_merchant_order", args);
export const exportPickupLists = (args) => call("export_pickup_lists", args);
export const exportStatement = (args) => call("export_statement", args);
export const exportLedger = (args) => call("export_ledger", args);
export const recordDelivery = (args) => call("record_delivery", args);
export const previewDelivery = (args) => call("preview_delivery", args);
export const cloneDeal = (args) => call("clone_deal", args);
export const backup = (args) => call("backup", args);
export const restore = (args) => call("restore", args);

/** The database changed (another process, or overdue settlement). */
export const onChanged = (cb) => tauri().event.listen("bookrun://changed", cb);

/** A notification was delivered: `cb(event)` with the event record. */
export const onNotification = (cb) =>
  tauri().event.listen("bookrun://notification", (e) => cb(e.payload));
