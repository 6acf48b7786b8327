// What this device remembers (localStorage): an opaque client id, 长辈模式,
// the onboarding answer, the town shared for distances, feedback given.
// Nothing here identifies a person; clearing site data forgets it all.

const PREFIX = "fasou.";
const memory = new Map(); // when storage is unavailable (private mode), for this visit only

function read(key) {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return memory.has(key) ? memory.get(key) : null;
  }
}

function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, value);
  } catch {
    if (value === null) memory.delete(key);
    else memory.set(key, value);
  }
}

function newClientId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const prefs = {
  clientId() {
    let id = read("client");
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = newClientId();
      write("client", id);
    }
    return id;
  },
  get elder() {
    return read("elder") === "1";
  },
  set elder(on) {
    write("elder", on ? "1" : null);
  },
  get persona() {
    return read("persona");
  },
  get region() {
    return read("region");
  },
  saveProfile(persona, region) {
    write("persona", persona);
    write("region", region || "");
  },
  forgetProfile() {
    write("persona", null);
    write("region", null);
    try {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith(PREFIX + "fb.")) localStorage.removeItem(key);
      }
    } catch {
      // storage unavailable: nothing stored
    }
  },
  get town() {
    return read("town");
  },
  set town(path) {
    write("town", path || null);
  },
  feedback(docId) {
    return read("fb." + docId);
  },
  setFeedback(docId, kind) {
    write("fb." + docId, kind);
  },
};
