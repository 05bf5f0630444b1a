// Exports: every sales report the schedules (and operators' requests) made, newest first, each with a
// download. The API's links are presigned for 5 minutes: a click on an older list fetches fresh links first.
import {append, CHINA_TIME_NOTE, day, empty, h, setTitle, when} from "./dom.js";
import {call} from "./shared.js";

const KINDS = {daily: "Daily", weekly: "Weekly", monthly: "Monthly", custom: "Custom range", detail: "Policy detail"};
const FORMATS = {csv: "CSV", xlsx: "Excel (XLSX)", json: "JSON"};
const FRESH_MS = 4 * 60 * 1000; // links last 5 minutes; renew a little before

export function sizeText(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const period = (e) => (!e.from ? "—" : e.from === e.to || !e.to ? day(e.from) : `${day(e.from)} – ${day(e.to)}`);

export async function render(view) {
  setTitle("Exports");
  const count = h("p", {class: "muted", role: "status"});
  const list = h("div");
  let fetchedAt = 0;
  let exports = [];

  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const data = await call("/reports/exports");
      exports = data.exports || [];
      fetchedAt = Date.now();
      paint();
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      list.replaceChildren(h("div", {class: "alert error", role: "alert"}, h("p", {text: err.message}),
        h("button", {type: "button", class: "secondary", text: "Try again", onclick: load})));
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  // An old list's link has expired: fetch the list again and follow the same export's new link.
  async function follow(event, key) {
    if (Date.now() - fetchedAt < FRESH_MS) return;
    event.preventDefault();
    await load();
    const again = exports.find((e) => e.key === key);
    if (again) location.assign(again.url);
  }

  function paint() {
    count.textContent = exports.length ? `${exports.length} export${exports.length === 1 ? "" : "s"}, newest first.` : "";
    if (!exports.length) {
      list.replaceChildren(empty("No exports yet. The daily export runs after midnight China time and lists yesterday's sales here; weekly and monthly exports follow on Mondays and on the 1st."));
      return;
    }
    list.replaceChildren(h("div", {class: "table-wrap"}, h("table", {class: "list exports"},
      h("caption", {class: "sr-only", text: "Report exports, newest first"}),
      h("thead", {}, h("tr", {},
        ["Period", "Kind", "Format", "Download", "Size", "Made at"].map((t) => h("th", {scope: "col", class: t === "Size" ? "num" : "", text: t})))),
      h("tbody", {}, exports.map((e) => {
        const what = `${(KINDS[e.kind] || e.kind).toLowerCase()} ${FORMATS[e.format] || e.format}, ${period(e)}`;
        return h("tr", {dataset: {key: e.key}},
          h("td", {class: "nowrap", text: period(e)}),
          h("td", {text: KINDS[e.kind] || e.kind}),
          h("td", {text: FORMATS[e.format] || String(e.format || "").toUpperCase()}),
          h("td", {}, h("a", {href: e.url, download: "", class: "download", onclick: (event) => follow(event, e.key)},
            "Download", h("span", {class: "sr-only", text: ` ${what}`}))),
          h("td", {class: "num nowrap", text: sizeText(e.size_bytes)}),
          h("td", {class: "nowrap", text: when(e.made_at)}));
      })))));
  }

  append(view,
    h("div", {class: "page-head"}, h("div", {},
      h("h1", {text: "Exports"}),
      h("p", {class: "muted", text: `Sales reports written by the daily, weekly and monthly schedules, newest first, as CSV and Excel files. A download link works for 5 minutes; this page renews it when you click later. ${CHINA_TIME_NOTE}`})),
      h("button", {type: "button", class: "secondary", text: "Refresh", onclick: load})),
    count, list);
  await load();
}
