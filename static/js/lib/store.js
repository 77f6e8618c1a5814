// Values kept in the browser's storage as JSON. Storage may be full or blocked (private
// mode): reads then give the fallback and writes are dropped, and the page works while open.
// The storage is handed in (node --test gives a Map-backed one).

/** The page's localStorage, or null where it cannot even be reached. */
export function browserStorage() {
  try {
    return globalThis.localStorage || null;
  } catch (err) {
    return null;
  }
}

/** load(fallback) / save(value) / remove() of the JSON value under `key`. */
export function jsonStore(storage, key) {
  return {
    load(fallback) {
      try {
        const text = storage && storage.getItem(key);
        return text ? JSON.parse(text) : fallback;
      } catch (err) {
        return fallback;
      }
    },
    save(value) {
      try {
        if (storage) storage.setItem(key, JSON.stringify(value));
      } catch (err) { /* full or blocked */ }
    },
    remove() {
      try {
        if (storage) storage.removeItem(key);
      } catch (err) { /* blocked */ }
    },
  };
}
