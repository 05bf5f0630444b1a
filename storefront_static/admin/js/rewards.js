// What the distribution-and-rewards screens share: fen and basis-point conversions, and the "not
// available" state shown when a rewards API is not deployed (yet) on this stack.
import {h, money} from "./dom.js";

// 12345 -> "CNY 123.45"
export const cents = (value) => (value === null || value === undefined || value === "" ? "—" : money(Number(value) / 100));

// "123.45" -> 12345; null when it is not an amount with at most two decimals.
export function toCents(text) {
  const t = String(text ?? "").trim().replace(/,/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

// Without floating point: "12.5" -> 1250 bp; null when not a percentage with at most two decimals.
export const toBasisPoints = (text) => toCents(text);
// 1250 -> "12.50 %"
export const percent = (bp) => (bp === null || bp === undefined ? "—" : `${(Number(bp) / 100).toFixed(2)} %`);
export const percentValue = (bp) => (bp === null || bp === undefined ? "" : (Number(bp) / 100).toFixed(2));
export const yuanValue = (value) => (value === null || value === undefined ? "" : (Number(value) / 100).toFixed(2));

// A route that is not deployed answers 404 "No route ..." (locally) or 405/501/502/503.
export function isUnavailable(err) {
  if (!err || err.network) return false;
  if ([405, 501, 502, 503].includes(err.status)) return true;
  return err.status === 404 && (/^no route/i.test(err.message || "") || err.code === "not_found" && /route/i.test(err.message || ""));
}

export function unavailable(what) {
  return h("div", {class: "alert info unavailable", role: "status"},
    h("p", {}, h("strong", {text: `${what} is not available yet.`})),
    h("p", {text: "This part of the rewards programme has not been switched on for this environment. Nothing is lost: try again later, or ask the platform team when it will be deployed."}));
}

// A masked member id for lists: the first 8 characters, the rest starred.
export const shortId = (id) => (id ? `${String(id).slice(0, 8)}…` : "");

// A failed load: "not available" for a missing API, otherwise the message with a retry.
export function loadError(err, what, retry) {
  if (isUnavailable(err)) return unavailable(what);
  return h("div", {class: "alert error", role: "alert"}, h("p", {text: err.message || String(err)}),
    retry ? h("button", {type: "button", class: "secondary", text: "Try again", onclick: retry}) : null);
}

export function facts(rows) {
  return h("dl", {class: "facts"}, rows.filter(Boolean).map(([term, value]) => [h("dt", {text: term}), h("dd", {}, value)]));
}

export function pageHeadTabs(label, tabs, current) {
  return h("nav", {class: "tabs", "aria-label": label}, h("ul", {}, tabs.map(([href, text, key]) =>
    h("li", {}, h("a", {href, text, "aria-current": key === current ? "page" : null})))));
}
