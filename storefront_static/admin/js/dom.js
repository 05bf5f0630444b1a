// DOM helpers for the console. API text is always set as text, never parsed as HTML.
const shown = (children) => children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    // defaultValue too, so form.reset() and a textarea's value (which is its text, not an attribute) work.
    else if (key === "value" && "defaultValue" in el) el.defaultValue = el.value = String(value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  // A wide table scrolls sideways inside its wrapper: keyboard users need to reach it to scroll it.
  if (el.classList.contains("table-wrap") && !el.hasAttribute("tabindex")) el.tabIndex = 0;
  el.append(...shown(children));
  return el;
}

// Like el.append, but skips null/false children (a native append would show them as the word "null").
export function append(el, ...children) {
  el.append(...shown(children));
  return el;
}

// Like el.replaceChildren, skipping null/false children the same way.
export function fill(el, ...children) {
  el.replaceChildren(...shown(children));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

let ids = 0;
export const uid = (prefix = "f") => `${prefix}-${++ids}`;

// A labelled control: h("div.field") with label, control, optional hint. `path` names it for 422 errors.
export function field(label, control, {path, hint, cls = ""} = {}) {
  control.id ||= uid("in");
  const hintEl = hint ? h("p", {class: "hint", id: uid("hint"), text: hint}) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", {class: `field ${cls}`.trim(), dataset: path ? {field: path} : undefined},
    h("label", {for: control.id, text: label}), hintEl, control);
}

export const input = (props = {}) => h("input", {type: "text", ...props});
export const textarea = (props = {}) => h("textarea", {rows: 3, ...props});

export function select(options, value, props = {}) {
  const el = h("select", props, options.map(([v, label]) => h("option", {value: v, text: label})));
  el.value = value ?? "";
  return el;
}

export function alertBox(text, kind = "error", ...extra) {
  return h("div", {class: `alert ${kind}`, role: kind === "error" ? "alert" : "status"}, h("p", {text}), extra);
}

export function showAlert(slot, text, kind = "error", ...extra) {
  slot.replaceChildren(alertBox(text, kind, ...extra));
  slot.hidden = false;
}

export function clearAlert(slot) {
  slot.replaceChildren();
  slot.hidden = true;
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

// "plans[0].coverages[1].code", "plans.0.coverages.1.code" and "plans/0/..." all become the dotted form.
export const errorPath = (key) => String(key).replace(/\[(\d+)\]/g, ".$1").replace(/\//g, ".").replace(/^\./, "");

const sentence = (text) => {
  const t = String(text).trim();
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : s + ".";
};

export function clearFieldErrors(root) {
  $$(".field-error", root).forEach((e) => e.remove());
  $$("[aria-invalid]", root).forEach((c) => {
    c.removeAttribute("aria-invalid");
    c.setAttribute("aria-describedby", (c.getAttribute("aria-describedby") || "").split(" ")
      .filter((id) => !id.startsWith("err-")).join(" "));
    if (!c.getAttribute("aria-describedby")) c.removeAttribute("aria-describedby");
  });
}

// Puts each message next to the control whose data-field matches the key; a key with no control of its
// own goes to the closest enclosing one ("plans.0.coverages.2" -> "plans.0.coverages" -> "plans.0").
// Returns the messages that found no place, for a summary.
export function showFieldErrors(root, fields) {
  const rest = [];
  for (const [key, text] of Object.entries(fields || {})) {
    const path = errorPath(key);
    let wrap = null;
    for (let p = path; p && !wrap; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      wrap = root.querySelector(`[data-field="${CSS.escape(p)}"]`);
    }
    if (!wrap) { rest.push([key, text]); continue; }
    const id = uid("err");
    const exact = wrap.dataset.field === path;
    const where = exact ? "" : `${readable(path.slice(wrap.dataset.field.length + 1))}: `;
    // Server messages are often fragments ("is required"): say which field they are about.
    const own = wrap.querySelector(":scope > label, :scope > legend");
    const name = own ? [...own.childNodes].filter((n) => !n.classList?.contains("row-prefix")).map((n) => n.textContent).join("").trim() : "";
    const fragment = /^(is|are|must|can|cannot|has|should) /i.test(String(text).trim());
    const msg = h("p", {class: "field-error", id, text: where + sentence(fragment && name && !where ? `${name} ${String(text).trim().replace(/^./, (c) => c.toLowerCase())}` : text)});
    const legend = wrap.querySelector(":scope > legend, :scope > .legend");
    if (legend) legend.after(msg); else wrap.append(msg);
    const controls = wrap.matches("input, select, textarea") ? [wrap] : $$(":scope > input, :scope > select, :scope > textarea", wrap);
    controls.forEach((c) => {
      c.setAttribute("aria-invalid", "true");
      c.setAttribute("aria-describedby", `${c.getAttribute("aria-describedby") || ""} ${id}`.trim());
    });
  }
  (root.querySelector("[aria-invalid=true]") || root.querySelector(".field-error"))?.scrollIntoView({block: "center"});
  root.querySelector("[aria-invalid=true]")?.focus({preventScroll: true});
  return rest;
}

// "coverages.1.sum_insured" -> "coverage 2, sum insured"
export function readable(path) {
  return path.split(".").map((part, i, all) => {
    if (/^\d+$/.test(part)) return null;
    const next = all[i + 1];
    const name = part.replace(/_/g, " ");
    return /^\d+$/.test(next || "") ? `${name.replace(/s$/, "")} ${Number(next) + 1}` : name;
  }).filter(Boolean).join(", ");
}

// Operators enter and read China time (Asia/Shanghai, UTC+8 all year, no daylight saving), whatever
// the time zone of the browser they use.
export const CHINA_TIME = "Asia/Shanghai";
export const CHINA_TIME_NOTE = "Times are China time (UTC+8).";
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

// An instant as "3 Dec 2026, 19:08" in China time.
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString("en-GB", {dateStyle: "medium", timeStyle: "short", timeZone: CHINA_TIME});
}

// A calendar date ("2026-12-03") as "3 Dec 2026"; an instant gives its China-time date.
export function day(isoDate) {
  if (!isoDate) return "";
  const text = String(isoDate);
  const d = text.length > 10 ? new Date(text) : new Date(`${text}T00:00:00Z`);
  return isNaN(d) ? text : d.toLocaleDateString("en-GB", {dateStyle: "medium", timeZone: text.length > 10 ? CHINA_TIME : "UTC"});
}

// An instant as a datetime-local value in China time ("2026-11-25T10:00"), and back to an instant.
export const chinaInput = (iso) => {
  const t = iso ? Date.parse(iso) : NaN;
  return isNaN(t) ? "" : new Date(t + CHINA_OFFSET_MS).toISOString().slice(0, 16);
};
export const fromChinaInput = (value) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value || "") ? `${value.length === 16 ? value + ":00" : value}+08:00` : "";
export const chinaToday = () => new Date(Date.now() + CHINA_OFFSET_MS).toISOString().slice(0, 10);

const number = new Intl.NumberFormat("en-US");
export const money = (amount) => (amount === null || amount === undefined || amount === "" ? "—"
  : `CNY ${Number(amount).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2})}`);
export const cny = (amount) => (amount === null || amount === undefined || amount === "" ? "—" : `CNY ${number.format(Number(amount))}`);

export const STATUS = {on_shelf: "On shelf", off_shelf: "Off shelf"};
export const CHANNELS = [["h5", "H5 (mobile)"], ["pc", "PC (desktop)"], ["partner_api", "Partner API"]];
export const channelName = (code) => (CHANNELS.find(([c]) => c === code) || [code, code])[1].replace(/ \(.*\)$/, "");

export function badge(status) {
  return h("span", {class: `badge ${status}`, text: STATUS[status] || status});
}

export function empty(text) {
  return h("p", {class: "empty", text});
}

export function setTitle(text) {
  document.title = `${text} - Operator console - InsureMall`;
}
