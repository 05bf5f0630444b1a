// What every screen shares: API calls that turn 401/403 into the sign-in or refusal screen, and the
// reference data (insurers, categories) the forms pick from.
import {api} from "../../assets/api.js";

export {ApiError} from "../../assets/api.js";

// Screens call the API through this: a 401 (token expired) or 403 (not an operator) is the console's
// business, not the screen's, so it is announced and the screen only sees the error.
export async function call(path, options) {
  try {
    return await api(path, options);
  } catch (err) {
    if (err.status === 401) window.dispatchEvent(new CustomEvent("console:signed-out"));
    if (err.status === 403) window.dispatchEvent(new CustomEvent("console:refused", {detail: err.message}));
    throw err;
  }
}

let reference = null;

export function referenceData({fresh = false} = {}) {
  if (!reference || fresh) {
    reference = Promise.all([call("/insurers"), call("/categories")]).then(([i, c]) => ({
      insurers: i.insurers || [],
      categories: [...(c.categories || [])].sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0)),
    }));
    reference.catch(() => { reference = null; });
  }
  return reference;
}

export const KINDS = [
  ["accident", "Accident"],
  ["travel", "Travel"],
  ["medical", "Medical"],
  ["critical_illness", "Critical illness"],
  ["term_life", "Term life"],
  ["home", "Home"],
];

export const kindName = (code) => (KINDS.find(([k]) => k === code) || [code, code])[1];

// A message that survives one navigation (e.g. "Product created" shown on the product page).
let flash = null;
export function setFlash(text) { flash = text; }
export function takeFlash() { const f = flash; flash = null; return f; }
