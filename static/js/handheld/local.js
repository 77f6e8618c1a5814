// What the handheld keeps on the device (localStorage): per staff member, the drafts not yet
// handed to the server, the ready notices and the floor shown; for everyone, the last menu,
// floors, tables and orders, so the page works through a Wi-Fi drop and a reload while the
// server is down. No DOM: the storage is handed in (node --test gives a Map-backed one).
import { jsonStore } from "../lib/store.js";

/** The handheld's kept state in `storage` for staff member `staffId`. */
export function createLocal(storage, staffId) {
  const mine = jsonStore(storage, "pos.handheld.v1.staff." + staffId);
  const cache = jsonStore(storage, "pos.handheld.v1.cache");
  return {
    /** Put the kept drafts, notices and floor into `S`. */
    load(S) {
      const saved = mine.load({});
      S.drafts = saved.drafts || {};
      S.notices = saved.notices || [];
      S.floorId = saved.floorId || null;
    },
    /** Keep `S`'s drafts, notices and floor (a full or blocked storage keeps nothing). */
    save(S) {
      mine.save({ drafts: S.drafts, notices: S.notices, floorId: S.floorId });
    },
    /** The last menu, branch, floors, tables and orders seen. */
    cacheGet() {
      return cache.load({});
    },
    cachePut(key, value) {
      const kept = cache.load({});
      kept[key] = value;
      cache.save(kept);
    },
  };
}
