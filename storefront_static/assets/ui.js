// Small DOM helpers shared by the pages. API text is always set as text, never as HTML.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const param = (name) => new URLSearchParams(location.search).get(name);

const number = new Intl.NumberFormat("en-US");
export const cny = (amount, currency = "CNY") => `${currency} ${number.format(Number(amount))}`;
export const money = (amount, currency = "CNY") =>
  `${currency} ${Number(amount).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2})}`;
export const cents = (value, currency = "CNY") => money(Number(value) / 100, currency);

// Customers read times in China time, whatever their device's zone; each screen says so once (timeNote).
const CHINA = "Asia/Shanghai";
export function when(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso || "") : d.toLocaleString("en-GB", {dateStyle: "medium", timeStyle: "short", timeZone: CHINA});
}

// The China calendar day of an instant, e.g. "3 Dec 2026".
export function dayOf(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso || "") : d.toLocaleDateString("en-GB", {dateStyle: "medium", timeZone: CHINA});
}

export const CHINA_TIME = "China time";
export const timeNote = () => h("p", {class: "hint time-note", text: `Times are ${CHINA_TIME} (UTC+8).`});

export function day(isoDate) {
  const d = new Date(isoDate + "T00:00:00");
  return isNaN(d) ? String(isoDate || "") : d.toLocaleDateString("en-GB", {dateStyle: "medium"});
}

export const STATUS_LABELS = {
  pending_payment: "Preparing payment",
  awaiting_payment: "Waiting for payment",
  paid: "Paid - underwriting",
  referred: "Under manual underwriting review",
  issued: "Policy issued",
  declined: "Declined - payment refunded",
  failed: "Could not be completed - payment refunded",
  cancelled: "Cancelled",
  policy_cancelled: "Policy cancelled",
  refunded: "Policy cancelled - refunded",
  in_force: "In force",
};

// A message box. With retry, network and server errors get a "Try again" button.
export function showAlert(box, text, {kind = "error", retry} = {}) {
  box.hidden = false;
  box.className = `alert ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.replaceChildren(h("p", {text}));
  if (retry) box.append(h("button", {type: "button", class: "secondary", text: "Try again", onclick: () => {
    box.hidden = true;
    retry();
  }}));
}

export function hideAlert(box) {
  box.hidden = true;
  box.replaceChildren();
}

export function showError(box, err, retry) {
  showAlert(box, err.message || String(err), {retry: err.network || err.status >= 500 ? retry : undefined});
}

// Server field messages are fragments ("is required"); make them sentences about the field.
export function sentence(text, label = "This field") {
  let t = String(text).trim();
  if (/^(is|are|must|can|has) /.test(t)) t = `${label} ${t}`;
  t = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(t) ? t : t + ".";
}

export function clearFieldErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  form.querySelectorAll("[data-described]").forEach((e) => {
    e.setAttribute("aria-describedby", e.dataset.described);
    if (!e.dataset.described) e.removeAttribute("aria-describedby");
    delete e.dataset.described;
  });
}

// Put each message next to its field (the element with data-field="<key>"). Returns what did not fit.
// {focus: false} for live validation, which must not move the customer's focus while they type.
export function showFieldErrors(form, fields, alias = (k) => k, {focus = true} = {}) {
  const rest = {};
  for (const [key, text] of Object.entries(fields || {})) {
    const wrap = form.querySelector(`[data-field="${CSS.escape(alias(key))}"]`);
    if (!wrap || wrap.hidden) { rest[key] = text; continue; }
    const id = "err-" + alias(key).replace(/[^a-z0-9]+/gi, "-");
    wrap.querySelector(`#${id}`)?.remove();
    const legend = wrap.querySelector(":scope > legend");
    const label = (legend || wrap.querySelector("label"))?.textContent.trim().replace(/\s*\(.*\)$/, "");
    const msg = h("p", {class: "field-error", id, text: sentence(text, label || undefined)});
    if (legend) legend.after(msg); else wrap.append(msg);
    const controls = wrap.querySelectorAll("input, select, textarea");
    controls.forEach((c) => {
      c.setAttribute("aria-invalid", "true");
      if (!("described" in c.dataset)) c.dataset.described = c.getAttribute("aria-describedby") || "";
      c.setAttribute("aria-describedby", `${c.dataset.described} ${id}`.trim());
    });
  }
  if (focus) form.querySelector("[aria-invalid=true]")?.focus();
  return rest;
}

export function setBusy(button, busy, busyText) {
  if (busy) {
    button.dataset.label = button.textContent;
    button.textContent = busyText;
    button.disabled = true;
  } else {
    button.textContent = button.dataset.label || button.textContent;
    button.disabled = false;
  }
}

export function uuid() {
  // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function list(items, cls) {
  return h("ul", {class: cls}, (items || []).map((t) => h("li", {text: t})));
}

// "CNY 49" for a whole amount, "CNY 49.50" otherwise: for "from" prices and estimates.
export function price(amount, currency = "CNY") {
  const n = Number(amount);
  return Number.isInteger(n) ? cny(n, currency) : money(n, currency);
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
