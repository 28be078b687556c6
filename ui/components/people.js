// Participants' names for a page that shows bookings, without listing every
// participant up front: rows that carry their participant's name (or that
// the page has met already, in a search or when one was added) need nothing
// more; only for ids still unknown is the participant list asked for, once.

import { listParticipants } from "../api.js";
import { load } from "./errors.js";

export function peopleCache() {
  const known = new Map();
  return {
    /** A Map-like `get(id)` -> participant (or `{id, name}`), for the panels. */
    map: known,
    remember(p) {
      if (p && p.id !== undefined) known.set(p.id, { ...known.get(p.id), ...p });
    },
    /**
     * Makes sure every row's participant has a name: from the row itself
     * (`participant_name` or `name`, when the core sends it), else from what
     * is known, else from one load of the list. Resolves to false when that
     * load failed (the error is shown).
     */
    async ensure(rows) {
      const missing = [];
      for (const r of rows) {
        const id = r.participant_id;
        const name = r.participant_name ?? r.name;
        if (typeof name === "string" && !known.has(id)) known.set(id, { id, name });
        if (!known.has(id)) missing.push(id);
      }
      if (!missing.length) return true;
      const all = await load(() => listParticipants({}));
      if (!all) return false;
      for (const p of all) known.set(p.id, p);
      return true;
    },
  };
}
