// Exports: every sales report the schedules (and operators' requests) made, newest first, each with a
// download; and the form to ask for a custom-range or a policy-level detail export, which runs as a job
// (listed under "Requested exports": pending, then ready with its files, or failed with the reason).
// The API's links are presigned for 5 minutes: a click on an older list fetches fresh links first.
import {append, CHINA_TIME_NOTE, chinaToday, clearFieldErrors, day, empty, field, h, input, setBusy, setTitle, showFieldErrors, when} from "./dom.js";
import {call} from "./shared.js";

const KINDS = {daily: "Daily", weekly: "Weekly", monthly: "Monthly", custom: "Custom range", detail: "Policy detail"};
const JOB_KINDS = {range: "Custom range", detail: "Policy detail"};
const STATUSES = {pending: "Being made", ready: "Ready", failed: "Failed"};
const FORMATS = {csv: "CSV", xlsx: "Excel (XLSX)", json: "JSON"};
const FRESH_MS = 4 * 60 * 1000; // links last 5 minutes; renew a little before
const POLL_MS = 2000; // while a job is being made
const MAX_DAYS = 366;

export function sizeText(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const period = (e) => (!e.from ? "—" : e.from === e.to || !e.to ? day(e.from) : `${day(e.from)} – ${day(e.to)}`);

// The same rules as the API (which answers 422 naming the field): both days, from <= to, at most 366 days.
export function requestProblems(from, to) {
  const problems = {};
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from || "")) problems.from = "Enter the first day";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to || "")) problems.to = "Enter the last day";
  if (!Object.keys(problems).length) {
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000 + 1;
    if (days < 1) problems.to = "The last day cannot be before the first day";
    else if (days > MAX_DAYS) problems.to = `At most ${MAX_DAYS} days in one export`;
  }
  return problems;
}

export async function render(view) {
  setTitle("Exports");
  const count = h("p", {class: "muted", role: "status"});
  const list = h("div");
  const jobsList = h("div");
  let fetchedAt = 0;
  let exports = [];
  let jobs = [];
  let timer = null;

  async function load() {
    clearTimeout(timer);
    list.setAttribute("aria-busy", "true");
    try {
      const data = await call("/reports/exports");
      exports = data.exports || [];
      jobs = data.jobs || [];
      fetchedAt = Date.now();
      paint();
      if (jobs.some((j) => j.status === "pending")) timer = setTimeout(() => { if (view.isConnected) load(); }, POLL_MS);
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

  const download = (e, what) => h("a", {href: e.url, download: "", class: "download", onclick: (event) => follow(event, e.key)},
    "Download", h("span", {class: "sr-only", text: ` ${what}`}));

  function paintJobs() {
    if (!jobs.length) {
      jobsList.replaceChildren(empty("No exports asked for yet. Ask for one above: it is made in the background and listed here."));
      return;
    }
    jobsList.replaceChildren(h("div", {class: "table-wrap"}, h("table", {class: "list jobs"},
      h("caption", {class: "sr-only", text: "Requested exports, newest first"}),
      h("thead", {}, h("tr", {},
        ["Period", "Kind", "Status", "Rows", "Asked at", "Files"].map((t) => h("th", {scope: "col", class: t === "Rows" ? "num" : "", text: t})))),
      h("tbody", {}, jobs.map((j) => {
        const files = j.files.map((f) => exports.find((e) => e.key === f.key)).filter(Boolean);
        const what = `${(JOB_KINDS[j.kind] || j.kind).toLowerCase()}, ${period(j)}`;
        return h("tr", {dataset: {job: j.job_id, status: j.status}},
          h("td", {class: "nowrap", text: period(j)}),
          h("td", {text: JOB_KINDS[j.kind] || j.kind}),
          h("td", {}, h("span", {class: `badge ${j.status}`, text: STATUSES[j.status] || j.status}),
            j.status === "failed" && j.reason ? h("p", {class: "small", text: j.reason}) : null),
          h("td", {class: "num", text: j.rows === null || j.rows === undefined ? "—" : Number(j.rows).toLocaleString("en-US")}),
          h("td", {class: "nowrap", text: when(j.requested_at)}),
          h("td", {}, files.length ? h("ul", {class: "chips"}, files.map((e) => h("li", {},
            download(e, `${FORMATS[e.format] || e.format}, ${what}`), ` ${(FORMATS[e.format] || e.format).replace(/ \(.*\)$/, "")}`)))
            : h("span", {class: "muted", text: j.status === "pending" ? "Being made…" : "—"})));
      })))));
  }

  function paint() {
    paintJobs();
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
          h("td", {}, download(e, what)),
          h("td", {class: "num nowrap", text: sizeText(e.size_bytes)}),
          h("td", {class: "nowrap", text: when(e.made_at)}));
      })))));
  }

  // The form: what, from, to. The job runs on the server; this page follows it until it is ready.
  const today = chinaToday();
  const kindChoice = (value, label, hint, checked) => h("label", {class: "choice"},
    h("input", {type: "radio", name: "kind", value, checked}), h("span", {}, h("strong", {text: label}), h("br"), h("span", {class: "small muted", text: hint})));
  const fromInput = input({type: "date", name: "from", max: today, required: true});
  const toInput = input({type: "date", name: "to", max: today, required: true});
  const submit = h("button", {type: "submit", text: "Ask for export"});
  const said = h("p", {class: "muted", role: "status", "aria-live": "polite"});
  const form = h("form", {class: "card export-form", novalidate: true, "aria-labelledby": "ask-export"},
    h("h2", {id: "ask-export", text: "Ask for an export"}),
    h("fieldset", {class: "plain", dataset: {field: "kind"}}, h("legend", {text: "What to export"}),
      h("div", {class: "choices"},
        kindChoice("range", "Sales by dimension", "Figures by region, insurer, product, category, channel and partner, as the scheduled exports.", true),
        kindChoice("detail", "Policy detail", "Every policy issued or cancelled in the period, a row each (CSV and Excel)."))),
    h("div", {class: "filters-bar"},
      field("From", fromInput, {path: "from"}),
      field("To (inclusive)", toInput, {path: "to", hint: `China days, at most ${MAX_DAYS}.`}),
      h("div", {class: "actions"}, submit)),
    said);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    said.textContent = "";
    const problems = requestProblems(fromInput.value, toInput.value);
    if (Object.keys(problems).length) return void showFieldErrors(form, problems);
    const kind = form.querySelector("input[name=kind]:checked").value;
    setBusy(submit, true, "Asking…");
    try {
      const job = await call("/reports/exports", {method: "POST", body: {kind, from: fromInput.value, to: toInput.value}});
      said.textContent = `${JOB_KINDS[job.kind]} export for ${period(job)} asked for: it is being made and appears under Requested exports when ready.`;
      await load();
    } catch (err) {
      if (err.status === 422) showFieldErrors(form, err.fields);
      else if (err.status !== 401 && err.status !== 403) said.textContent = err.message;
    } finally {
      setBusy(submit, false);
    }
  });

  append(view,
    h("div", {class: "page-head"}, h("div", {},
      h("h1", {text: "Exports"}),
      h("p", {class: "muted", text: `Sales reports written by the daily, weekly and monthly schedules, and those operators ask for, newest first, as CSV and Excel files. A download link works for 5 minutes; this page renews it when you click later. ${CHINA_TIME_NOTE}`})),
      h("button", {type: "button", class: "secondary", text: "Refresh", onclick: load})),
    form,
    h("section", {"aria-labelledby": "jobs-head"}, h("h2", {id: "jobs-head", text: "Requested exports"}), jobsList),
    h("section", {"aria-labelledby": "files-head"}, h("h2", {id: "files-head", text: "Files"}), count, list));
  await load();
}
