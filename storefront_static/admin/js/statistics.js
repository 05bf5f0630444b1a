// Statistics: sales figures over a range of China days (GET /reports/sales): KPI cards against the
// previous period, the funnel, a trend chart (hand-written SVG, with the same figures as a table) and a
// sortable breakdown by region, insurer, product, category, channel or partner, downloadable as CSV.
// The range, tab, granularity and sort live in the hash query, so reload and back show the same view.
// Money stays the API's decimal strings: formatted as text, never added up here.
import {append, CHANNELS, chinaToday, clearFieldErrors, day, empty, field, h, input, setTitle, showFieldErrors} from "./dom.js";
import {call, referenceData} from "./shared.js";

const DAY_MS = 86400000;
const MAX_DAYS = 366;
const parseDay = (text) => new Date(`${text}T00:00:00Z`);
const addDays = (text, n) => new Date(parseDay(text).getTime() + n * DAY_MS).toISOString().slice(0, 10);
const monthStart = (text) => `${text.slice(0, 8)}01`;
const daysIn = (from, to) => Math.round((parseDay(to) - parseDay(from)) / DAY_MS) + 1;
const isDay = (text) => /^\d{4}-\d{2}-\d{2}$/.test(text || "") && !isNaN(parseDay(text)) && parseDay(text).toISOString().startsWith(text);

// Days are China days (UTC+8), whatever the browser's time zone: chinaToday() is today in China.
export const PRESETS = [
  ["today", "Today", (t) => [t, t]],
  ["yesterday", "Yesterday", (t) => [addDays(t, -1), addDays(t, -1)]],
  ["last7", "Last 7 days", (t) => [addDays(t, -6), t]],
  ["last30", "Last 30 days", (t) => [addDays(t, -29), t]],
  ["this_month", "This month", (t) => [monthStart(t), t]],
  ["last_month", "Last month", (t) => { const end = addDays(monthStart(t), -1); return [monthStart(end), end]; }],
];
const DIMENSIONS = [["region", "Region"], ["insurer", "Insurer"], ["product", "Product"], ["category", "Category"], ["channel", "Channel"], ["partner", "Partner"]];
const GRANULARITIES = [["day", "Day"], ["week", "Week"], ["month", "Month"]];
const COLUMNS = [
  ["name", null, "text"],
  ["policies_issued", "Policies issued", "count"],
  ["new_business", "New business", "count"],
  ["renewals", "Renewals", "count"],
  ["policies_cancelled", "Policies cancelled", "count"],
  ["gross_premium", "Gross premium", "money"],
  ["discounts", "Discounts", "money"],
  ["refunded_premium", "Refunded premium", "money"],
  ["net_premium", "Net premium", "money"],
];
// KPI cards; `more` marks a figure where a rise is bad news (shown in the error colour, not only by it).
const KPIS = [
  ["policies_issued", "Policies issued", "count"],
  ["gross_premium", "Gross premium", "money"],
  ["net_premium", "Net premium", "money"],
  ["refunded_premium", "Refunded premium", "money", "worse"],
  ["policies_cancelled", "Policies cancelled", "count", "worse"],
  ["discounts", "Discounts", "money", "worse"],
];
// The funnel: each step against the one before; declined and referred are outcomes of the paid orders.
const FUNNEL = [["quotes", "Quotes"], ["orders", "Orders"], ["paid", "Paid"], ["policies_issued", "Policies issued"]];
const FUNNEL_ASIDE = [["declined", "Declined"], ["referred", "Referred to an underwriter", "Referred"]];
const FUNNEL_KEYS = ["quotes", "orders", "paid", "declined", "referred"];

const counts = new Intl.NumberFormat("en-US");
const percents = new Intl.NumberFormat("en-US", {maximumFractionDigits: 1});
const compact = new Intl.NumberFormat("en-US", {notation: "compact", maximumFractionDigits: 1});

// "1690.00" -> "CNY 1,690.00", "-5.5" -> "CNY -5.50": the decimal string re-spaced, never rounded through a float.
export function moneyText(amount) {
  const text = String(amount ?? "").trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text ? `CNY ${text}` : "—";
  const whole = m[2].replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `CNY ${m[1]}${whole}.${(m[3] || "").padEnd(2, "0")}`;
}
const countText = (n) => counts.format(Number(n) || 0);
const shown = (kind, value) => (kind === "money" ? moneyText(value) : countText(value));
const range = (from, to) => (from === to ? day(from) : `${day(from)} – ${day(to)}`);

// A spreadsheet must not run a cell as a formula: text beginning with = + - @ (or a tab or carriage
// return, which Excel skips before them) gets a leading '. Plain numbers (-12.50) stay numbers.
export function neutralise(cell) {
  const text = String(cell ?? "");
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
}

export function csvText(rows) {
  const quote = (cell) => {
    const text = neutralise(cell);
    return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return rows.map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";
}

// The view asked for by the hash query; anything unknown falls back to the default.
function stateFrom(query) {
  const preset = query.get("range") || "last7";
  return {
    range: preset === "custom" || PRESETS.some(([k]) => k === preset) ? preset : "last7",
    from: query.get("from") || "",
    to: query.get("to") || "",
    by: DIMENSIONS.some(([k]) => k === query.get("by")) ? query.get("by") : "product",
    granularity: GRANULARITIES.some(([k]) => k === query.get("granularity")) ? query.get("granularity") : "day",
    sort: COLUMNS.some(([k]) => k === query.get("sort")) ? query.get("sort") : "policies_issued",
    dir: query.get("dir") === "asc" ? "asc" : "desc",
  };
}

function queryOf(state) {
  const q = new URLSearchParams({range: state.range});
  if (state.range === "custom") { q.set("from", state.from); q.set("to", state.to); }
  q.set("by", state.by);
  q.set("granularity", state.granularity);
  q.set("sort", state.sort);
  q.set("dir", state.dir);
  return q;
}

function bounds(state) {
  if (state.range === "custom") return [state.from, state.to];
  return PRESETS.find(([k]) => k === state.range)[2](chinaToday());
}

function rangeProblems(from, to) {
  const problems = {};
  const today = chinaToday();
  if (!from) problems.from = "Enter the first day";
  else if (!isDay(from)) problems.from = "Enter the first day as a date, e.g. 2026-12-01";
  if (!to) problems.to = "Enter the last day";
  else if (!isDay(to)) problems.to = "Enter the last day as a date, e.g. 2026-12-07";
  if (Object.keys(problems).length) return problems;
  if (from > today) problems.from = "The first day cannot be after today (China time)";
  else if (to < from) problems.to = "The last day cannot be before the first day";
  else if (daysIn(from, to) > MAX_DAYS) problems.to = `A range is at most ${MAX_DAYS} days`;
  return problems;
}

// ----- the figures -----

function change(now, before, kind, worse) {
  const a = Number(now) || 0;
  const b = Number(before) || 0;
  const was = shown(kind, before ?? 0);
  if (b === 0 && a === 0) return h("p", {class: "kpi-change flat"}, "No change · previous ", was);
  if (b === 0) return h("p", {class: `kpi-change ${worse ? "bad" : "good"}`}, h("span", {class: "arrow-up", "aria-hidden": "true", text: "▲ "}), h("strong", {text: "new"}), " · previous ", was);
  const pct = ((a - b) / Math.abs(b)) * 100;
  if (Math.abs(pct) < 0.05) return h("p", {class: "kpi-change flat"}, "No change · previous ", was);
  const up = pct > 0;
  const tone = up === !worse ? "good" : "bad";
  return h("p", {class: `kpi-change ${tone}`},
    h("span", {"aria-hidden": "true", text: up ? "▲ " : "▼ "}),
    h("span", {class: "sr-only", text: up ? "Up " : "Down "}),
    h("strong", {text: `${percents.format(Math.abs(pct))}%`}), " · previous ", was);
}

function kpiCards(data, previousRange) {
  const {totals = {}, previous = {}, definitions = {}} = data;
  const cards = KPIS.map(([key, label, kind, worse]) => h("li", {class: "kpi", dataset: {kpi: key}},
    h("h3", {class: "kpi-name", text: label}),
    h("p", {class: "kpi-value", text: shown(kind, totals[key])}),
    change(totals[key], previous[key], kind, worse),
    definitions[key] ? h("p", {class: "kpi-def", text: definitions[key]}) : null));
  const fresh = Number(totals.new_business) || 0;
  const renewed = Number(totals.renewals) || 0;
  const share = fresh + renewed ? Math.round((fresh / (fresh + renewed)) * 100) : null;
  const part = (key, label) => h("div", {class: "kpi-part", dataset: {kpi: key}},
    h("p", {class: "kpi-part-name", text: label}),
    h("p", {class: "kpi-value", text: countText(totals[key])}),
    change(totals[key], previous[key], "count"));
  cards.push(h("li", {class: "kpi wide", dataset: {kpi: "mix"}},
    h("h3", {class: "kpi-name", text: "New business vs renewals"}),
    h("div", {class: "kpi-parts"}, part("new_business", "New business"), part("renewals", "Renewals")),
    share === null ? null : h("div", {class: "mix-bar", "aria-hidden": "true"}, h("span", {style: `width: ${share}%`})),
    h("p", {class: "kpi-def", text: share === null ? "No policies issued in the period." : `${share}% new business, ${100 - share}% renewals.`}),
    definitions.new_business ? h("p", {class: "kpi-def", text: `New business: ${definitions.new_business}`}) : null,
    definitions.renewals ? h("p", {class: "kpi-def", text: `Renewals: ${definitions.renewals}`}) : null));
  return [
    h("p", {class: "muted small", text: `Each change compares with the previous period of the same length: ${previousRange}.`}),
    h("ul", {class: "kpis", "aria-label": "Key figures"}, cards),
  ];
}

// n as a share of `of` ("62.5%"), or null when there is nothing to compare with.
const share = (n, of) => (of ? `${percents.format((n / of) * 100)}%` : null);

// Each step's count and its rate: a main step against the step before, an aside against the paid orders.
function funnelSteps(totals) {
  const value = (k) => Number(totals[k]) || 0;
  const main = FUNNEL.map(([key, label], i) => {
    const before = i ? FUNNEL[i - 1] : null;
    return {key, label, n: value(key), rate: before ? share(value(key), value(before[0])) : null, of: before ? before[1].toLowerCase() : null};
  });
  const aside = FUNNEL_ASIDE.map(([key, label, short]) => ({key, label, short, n: value(key), rate: share(value(key), value("paid")), of: "paid", aside: true}));
  return [main, aside];
}

const rateText = (step) => (step.rate ? `${step.rate} of ${step.of}` : step.of ? `– of ${step.of}` : "");

// Hand-written SVG bars on one scale (the largest step is the full width), the rate beside each label.
function funnelChart(steps, width, label) {
  const [main, aside] = steps;
  const W = Math.round(Math.max(300, Math.min(960, width || 640)));
  const rowH = 44;
  const gap = 26;
  const H = rowH * (main.length + aside.length) + gap + 4;
  const top = Math.max(1, ...[...main, ...aside].map((st) => st.n));
  let y = 0;
  const row = (st) => {
    const w = st.n ? Math.max(3, (st.n / top) * W) : 0;
    const el = s("g", {class: st.aside ? "funnel-step aside" : "funnel-step", "data-funnel": st.key},
      s("text", {x: 0, y: y + 15, class: "funnel-name"}, `${st.short || st.label} `, s("tspan", {class: "funnel-count"}, countText(st.n))),
      s("text", {x: W, y: y + 15, "text-anchor": "end", class: "tick"}, rateText(st)),
      s("rect", {x: 0, y: y + 22, width: W, height: 14, rx: 3, class: "funnel-track"}),
      w ? s("rect", {x: 0, y: y + 22, width: w, height: 14, rx: 3, class: "funnel-fill"}) : []);
    y += rowH;
    return el;
  };
  const bars = main.map(row);
  const heading = s("text", {x: 0, y: y + 16, class: "tick"}, "Outcomes of the paid orders");
  y += gap;
  return s("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "chart funnel-chart", preserveAspectRatio: "xMidYMid meet"},
    bars, heading, aside.map(row));
}

function funnelSummary(steps, data) {
  const [main, aside] = steps;
  const parts = main.map((st) => `${countText(st.n)} ${st.label.toLowerCase()}${st.rate ? ` (${rateText(st)})` : ""}`);
  const outcomes = aside.map((st) => `${countText(st.n)} ${st.label.toLowerCase()}${st.rate ? ` (${rateText(st)})` : ""}`);
  return `Funnel, ${range(data.from, data.to)}: ${parts.join(", ")}; of the paid orders, ${outcomes.join(" and ")}. The same figures are in the table below the chart.`;
}

// Two columns of figures (this period, the previous one), each a count over its rate: narrow enough for a phone.
function funnelTable(steps, data) {
  const [main, aside] = steps;
  const [mainBefore, asideBefore] = funnelSteps(data.previous || {});
  const cell = (st, period) => h("td", {class: `num ${period}`},
    h("span", {class: "count", text: countText(st.n)}),
    // "33.7%" over "of quotes" when narrow: the two parts never break inside.
    h("span", {class: "rate"}, st.rate ? [h("span", {class: "nowrap", text: st.rate}), " ", h("span", {class: "nowrap", text: `of ${st.of}`})] : "–"));
  const line = (st, i, before) => h("tr", {dataset: {funnel: st.key}},
    h("th", {scope: "row", text: st.label}), cell(st, "now"), cell(before[i], "before"));
  return h("div", {class: "table-wrap"}, h("table", {class: "list funnel-table"},
    h("caption", {class: "sr-only", text: `Funnel, ${range(data.from, data.to)}, with the previous period`}),
    h("thead", {}, h("tr", {},
      h("th", {scope: "col", text: "Step"}),
      ["This period", "Previous period"].map((t) => h("th", {scope: "col", class: "num", text: t})))),
    h("tbody", {}, main.map((st, i) => line(st, i, mainBefore))),
    h("tbody", {}, h("tr", {}, h("th", {scope: "rowgroup", colspan: 3, class: "muted small", text: "Outcomes of the paid orders"})),
      aside.map((st, i) => line(st, i, asideBefore)))));
}

function funnel(data, width) {
  const totals = data.totals || {};
  if (!FUNNEL_KEYS.some((k) => totals[k] !== undefined && totals[k] !== null)) {
    return h("p", {class: "empty", dataset: {funnel: "not-recorded"}, text: "The funnel is not recorded by this version of the platform."});
  }
  const steps = funnelSteps(totals);
  const [main] = steps;
  if (![...steps[0], ...steps[1]].some((st) => st.n)) return empty(`No quotes or orders in ${range(data.from, data.to)}.`);
  const definitions = data.definitions || {};
  const overall = share(main[3].n, main[0].n);
  const before = share(Number(data.previous?.policies_issued) || 0, Number(data.previous?.quotes) || 0);
  return [
    h("p", {class: "funnel-overall"}, "Quote to policy: ", h("strong", {text: overall || "–"}),
      h("span", {class: "muted nowrap", text: ` · previous period ${before || "–"}`})),
    funnelChart(steps, width, funnelSummary(steps, data)),
    h("details", {class: "as-table"}, h("summary", {text: "Show the funnel as a table"}), funnelTable(steps, data),
      h("ul", {class: "plain-list funnel-defs"}, [...FUNNEL, ...FUNNEL_ASIDE].filter(([k]) => definitions[k]).map(([k, label]) =>
        h("li", {class: "kpi-def"}, h("strong", {text: `${label}: `}), definitions[k])))),
  ];
}

// ----- the trend chart -----

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  el.append(...children.flat());
  return el;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function periodLabel(period, granularity, long = false) {
  if (granularity === "month") return `${MONTHS[Number(period.slice(5, 7)) - 1]}${long || period.endsWith("-01") ? " " + period.slice(0, 4) : ""}`;
  const d = parseDay(period);
  const text = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (!long) return text;
  return granularity === "week" ? `Week of ${day(period)}` : day(period);
}

function niceStep(span) {
  const raw = span / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

// Bars: gross premium; line: net premium; one axis in CNY. Floats only for geometry.
function trendChart(series, granularity, width, label) {
  const W = Math.round(Math.max(300, Math.min(960, width || 640)));
  const H = W < 500 ? 220 : 260;
  const pad = {left: 56, right: 12, top: 14, bottom: 30};
  const plotW = W - pad.left - pad.right;
  const plotH = H - pad.top - pad.bottom;
  const gross = series.map((p) => Number(p.gross_premium) || 0);
  const net = series.map((p) => Number(p.net_premium) || 0);
  const high = Math.max(0, ...gross, ...net);
  const low = Math.min(0, ...net);
  const step = niceStep(high - low || 100);
  const top = Math.ceil(high / step) * step || step;
  const bottom = Math.floor(low / step) * step;
  const y = (v) => pad.top + plotH - ((v - bottom) / (top - bottom)) * plotH;
  const n = Math.max(1, series.length);
  const band = plotW / n;
  const barW = Math.max(1, Math.min(40, band * 0.62));
  const cx = (i) => pad.left + band * i + band / 2;
  const grid = [];
  for (let v = bottom; v <= top + step / 2; v += step) {
    grid.push(s("line", {x1: pad.left, x2: W - pad.right, y1: y(v), y2: y(v), class: v === 0 ? "axis" : "grid"}));
    grid.push(s("text", {x: pad.left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick"}, compact.format(v)));
  }
  const every = Math.max(1, Math.ceil((n * 48) / plotW));
  const labels = series.map((p, i) => (i % every ? null
    : s("text", {x: cx(i), y: H - pad.bottom + 18, "text-anchor": "middle", class: "tick"}, periodLabel(p.period, granularity)))).filter(Boolean);
  const bars = series.map((p, i) => {
    const v = gross[i];
    const y0 = y(0);
    const y1 = y(v);
    return s("rect", {class: "bar", x: cx(i) - barW / 2, y: Math.min(y0, y1), width: barW, height: Math.max(v ? 1 : 0, Math.abs(y0 - y1))});
  });
  const points = series.map((p, i) => `${cx(i).toFixed(1)},${y(net[i]).toFixed(1)}`).join(" ");
  return s("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "chart", preserveAspectRatio: "xMidYMid meet"},
    grid, bars,
    series.length ? s("polyline", {points, class: "net-line"}) : [],
    n <= 62 ? series.map((p, i) => s("circle", {cx: cx(i), cy: y(net[i]), r: 3, class: "net-dot"})) : [],
    labels);
}

function chartSummary(data) {
  const series = data.series || [];
  const unit = data.granularity;
  const what = `Gross premium (bars) and net premium (line) by ${unit}, ${range(data.from, data.to)}`;
  if (!series.some((p) => Number(p.gross_premium) || Number(p.net_premium))) return `${what}: no sales in this period.`;
  let best = series[0];
  for (const p of series) if (Number(p.gross_premium) > Number(best.gross_premium)) best = p;
  return `${what}. Gross premium ${moneyText(data.totals.gross_premium)} in all, highest in ${periodLabel(best.period, unit, true)} (${moneyText(best.gross_premium)}); net premium ${moneyText(data.totals.net_premium)}. The same figures are in the table below the chart.`;
}

function seriesTable(data) {
  const unit = GRANULARITIES.find(([k]) => k === data.granularity)[1];
  return h("div", {class: "table-wrap"}, h("table", {class: "list figures-table"},
    h("caption", {class: "sr-only", text: `Sales by ${data.granularity}, ${range(data.from, data.to)}`}),
    h("thead", {}, h("tr", {},
      h("th", {scope: "col", text: unit}),
      ["Policies issued", "Cancelled", "Gross premium", "Refunded", "Net premium"].map((t) => h("th", {scope: "col", class: "num", text: t})))),
    h("tbody", {}, (data.series || []).map((p) => h("tr", {},
      h("th", {scope: "row", class: "nowrap", text: periodLabel(p.period, data.granularity, true)}),
      h("td", {class: "num", text: countText(p.policies_issued)}),
      h("td", {class: "num", text: countText(p.policies_cancelled)}),
      h("td", {class: "num nowrap", text: moneyText(p.gross_premium)}),
      h("td", {class: "num nowrap", text: moneyText(p.refunded_premium)}),
      h("td", {class: "num nowrap", text: moneyText(p.net_premium)}))))));
}

// ----- the breakdown -----

function compare(key, kind) {
  if (kind === "text") return (a, b) => String(a._name).localeCompare(String(b._name), "en") || String(a.key).localeCompare(String(b.key));
  return (a, b) => (Number(a[key]) || 0) - (Number(b[key]) || 0) || String(a._name).localeCompare(String(b._name), "en");
}

export async function render(view, _args, query) {
  setTitle("Statistics");
  const state = stateFrom(query);
  const push = () => history.pushState(null, "", `#/statistics?${queryOf(state)}`);
  const status = h("p", {class: "sr-only", role: "status"});
  const heading = h("p", {class: "range-now"});
  let data = null;
  let names = {};

  // Period: presets and a custom range.
  const presetButtons = [...PRESETS.map(([k, label]) => [k, label]), ["custom", "Custom range"]].map(([k, label]) =>
    h("button", {type: "button", class: "secondary small", "aria-pressed": String(state.range === k), dataset: {range: k}, text: label,
      onclick: () => {
        if (k === "custom") {
          if (state.range !== "custom") [fromInput.value, toInput.value] = bounds(state);
          state.range = "custom";
          paintPresets();
          fromInput.focus();
          return;
        }
        state.range = k;
        push();
        paintPresets();
        load();
      }}));
  const fromInput = input({type: "date", name: "from", value: state.range === "custom" ? state.from : "", max: chinaToday()});
  const toInput = input({type: "date", name: "to", value: state.range === "custom" ? state.to : "", max: chinaToday()});
  const custom = h("form", {class: "filters-bar custom-range", novalidate: true, "aria-label": "Custom range"},
    field("From", fromInput, {path: "from"}), field("To (inclusive)", toInput, {path: "to"}),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Show"})));
  custom.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(custom);
    const problems = rangeProblems(fromInput.value, toInput.value);
    if (Object.keys(problems).length) return void showFieldErrors(custom, problems);
    Object.assign(state, {range: "custom", from: fromInput.value, to: toInput.value});
    push();
    load();
  });
  const paintPresets = () => {
    presetButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.range === state.range)));
    custom.hidden = state.range !== "custom";
  };

  // Dimension tabs (a tablist: arrow keys move between tabs, the panel is the breakdown).
  const panel = h("div", {role: "tabpanel", id: "breakdown-panel"});
  const tabs = DIMENSIONS.map(([k, label]) => h("button", {type: "button", role: "tab", id: `tab-${k}`, "aria-controls": "breakdown-panel", dataset: {by: k}, text: label,
    onclick: () => choose(k)}));
  const tablist = h("div", {role: "tablist", "aria-label": "Break down by", class: "tablist"}, tabs);
  tablist.addEventListener("keydown", (event) => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    const next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length];
    tab.focus();
    choose(tab.dataset.by);
  });
  const paintTabs = () => tabs.forEach((t) => {
    const on = t.dataset.by === state.by;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    if (on) panel.setAttribute("aria-labelledby", t.id);
  });
  function choose(by) {
    if (by === state.by) return;
    state.by = by;
    if (state.sort === "name") state.dir = "asc";
    push();
    paintTabs();
    load();
  }

  // Granularity switch.
  const grainButtons = GRANULARITIES.map(([k, label]) => h("button", {type: "button", class: "secondary small", dataset: {granularity: k}, text: label,
    onclick: () => {
      if (state.granularity === k) return;
      state.granularity = k;
      push();
      paintGrain();
      load();
    }}));
  const paintGrain = () => grainButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.granularity === state.granularity)));

  const alert = h("div", {hidden: true});
  const kpis = h("section", {"aria-labelledby": "kpi-heading"}, h("h2", {id: "kpi-heading", text: "Key figures"}));
  const kpiBody = h("div");
  const funnelBody = h("div");
  const chartBody = h("div", {class: "chart-wrap"});
  const tableBody = h("div");
  const download = h("button", {type: "button", class: "secondary", text: "Download CSV", disabled: true, onclick: () => downloadCsv()});
  const results = h("div", {class: "stats"},
    append(kpis, kpiBody),
    h("section", {class: "card", "aria-labelledby": "funnel-heading"}, h("h2", {id: "funnel-heading", text: "Funnel"}), funnelBody),
    h("section", {class: "card", "aria-labelledby": "trend-heading"},
      h("div", {class: "section-head"}, h("h2", {id: "trend-heading", text: "Trend"}),
        h("div", {class: "segmented", role: "group", "aria-label": "Trend by"}, grainButtons)),
      h("p", {class: "legend muted small"},
        h("span", {class: "legend-item"}, h("span", {class: "key bar-key", "aria-hidden": "true"}), "Gross premium (bars)"),
        h("span", {class: "legend-item"}, h("span", {class: "key line-key", "aria-hidden": "true"}), "Net premium (line)"),
        h("span", {class: "legend-item", text: "Amounts in CNY"})),
      chartBody),
    h("section", {"aria-labelledby": "breakdown-heading"},
      h("div", {class: "section-head"}, h("h2", {id: "breakdown-heading", text: "Breakdown"}), download),
      tablist, append(panel, tableBody)));

  append(view,
    h("div", {class: "page-head"}, h("div", {},
      h("h1", {text: "Statistics"}),
      h("p", {class: "muted", text: "Sales counted from issued and cancelled policies, the funnel from quotes, orders and their payment and underwriting. Days are China days (China time, UTC+8) whatever your computer's time zone; the last day of a range is included."}))),
    h("div", {class: "card period"},
      h("div", {class: "presets", role: "group", "aria-label": "Period"}, presetButtons),
      custom, heading),
    status, alert, results);
  paintPresets();
  paintTabs();
  paintGrain();
  referenceData().then((ref) => {
    names = {
      insurer: Object.fromEntries(ref.insurers.map((i) => [i.insurer_id, i.name])),
      category: Object.fromEntries(ref.categories.map((c) => [c.category_id, c.name])),
    };
  }).catch(() => {});

  // A name the API did not have (an id) is looked up in the console's reference data.
  const nameOf = (row) => {
    if (row.name && row.name !== row.key) return row.name;
    if (state.by === "channel") return (CHANNELS.find(([c]) => c === row.key) || [])[1] || row.name || row.key;
    return (names[state.by] || {})[row.key] || row.name || row.key;
  };

  function paintTable() {
    if (!data) return;
    const rows = (data.rows || []).map((r) => ({...r, _name: nameOf(r)}));
    const [, , kind] = COLUMNS.find(([k]) => k === state.sort);
    rows.sort(compare(state.sort, kind));
    if (state.dir === "desc") rows.reverse();
    const dimension = DIMENSIONS.find(([k]) => k === state.by)[1];
    download.disabled = false;
    if (!rows.length) {
      tableBody.replaceChildren(empty(`No sales in ${range(data.from, data.to)}.`));
      return rows;
    }
    const head = COLUMNS.map(([key, label, k]) => {
      const text = label || dimension;
      const sorted = state.sort === key;
      return h("th", {scope: "col", class: k === "text" ? "" : "num", "aria-sort": sorted ? (state.dir === "asc" ? "ascending" : "descending") : null},
        h("button", {type: "button", class: "sort", dataset: {sort: key}, onclick: () => {
          if (state.sort === key) state.dir = state.dir === "asc" ? "desc" : "asc";
          else Object.assign(state, {sort: key, dir: k === "text" ? "asc" : "desc"});
          push();
          paintTable();
          status.textContent = `Sorted by ${text}, ${state.dir === "asc" ? "ascending" : "descending"}.`;
          tableBody.querySelector(`button[data-sort="${key}"]`)?.focus();
        }}, text, h("span", {class: "sort-mark", "aria-hidden": "true", text: sorted ? (state.dir === "asc" ? " ▲" : " ▼") : " ↕"})));
    });
    const cells = (r, nameCell) => [nameCell, ...COLUMNS.slice(1).map(([key, , k]) => h("td", {class: `num${k === "money" ? " nowrap" : ""}`, text: shown(k, r[key])}))];
    tableBody.replaceChildren(h("div", {class: "table-wrap"}, h("table", {class: "list breakdown"},
      h("caption", {class: "sr-only", text: `Sales by ${dimension.toLowerCase()}, ${range(data.from, data.to)}. Column headers sort the table.`}),
      h("thead", {}, h("tr", {}, head)),
      h("tbody", {}, rows.map((r) => h("tr", {dataset: {key: r.key}}, cells(r, h("th", {scope: "row", text: r._name}))))),
      h("tfoot", {}, h("tr", {}, cells(data.totals || {}, h("th", {scope: "row", text: "Total"})))))));
    return rows;
  }

  function downloadCsv() {
    if (!data) return;
    const rows = paintTable() || [];
    const dimension = DIMENSIONS.find(([k]) => k === state.by)[1];
    const header = [dimension, "Id", ...COLUMNS.slice(1).map(([, label, k]) => (k === "money" ? `${label} (CNY)` : label))];
    const line = (name, key, r) => [name, key, ...COLUMNS.slice(1).map(([k]) => String(r[k] ?? (COLUMNS.find(([c]) => c === k)[2] === "money" ? "0.00" : 0)))];
    const text = csvText([header, ...rows.map((r) => line(r._name, r.key, r)), line("Total", "", data.totals || {})]);
    // A byte-order mark so that Excel reads the UTF-8 (province names) as UTF-8.
    const url = URL.createObjectURL(new Blob(["\uFEFF", text], {type: "text/csv;charset=utf-8"}));
    const link = h("a", {href: url, download: `sales-by-${state.by}-${data.from}-to-${data.to}.csv`, hidden: true});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  let ticket = 0;
  let controller = null;
  async function load() {
    const [from, to] = bounds(state);
    clearFieldErrors(custom);
    alert.hidden = true;
    if (state.range === "custom") {
      [fromInput.value, toInput.value] = [from, to];
      const problems = rangeProblems(from, to);
      if (Object.keys(problems).length) {
        results.hidden = true;
        heading.textContent = "";
        showFieldErrors(custom, problems);
        return;
      }
    }
    heading.replaceChildren("Showing ", h("strong", {text: range(from, to)}), ` (${daysIn(from, to)} day${daysIn(from, to) === 1 ? "" : "s"}).`);
    const mine = ++ticket;
    controller?.abort();
    controller = new AbortController();
    const main = view.closest("main");
    main?.setAttribute("aria-busy", "true");
    results.setAttribute("aria-busy", "true");
    try {
      const q = new URLSearchParams({from, to, by: state.by, granularity: state.granularity});
      const answer = await call(`/reports/sales?${q}`, {signal: controller.signal});
      if (mine !== ticket) return;
      await referenceData().catch(() => null);
      data = answer;
      paint(from);
    } catch (err) {
      if (err.name === "AbortError" || mine !== ticket) return;
      if (err.status === 401 || err.status === 403) return;
      if (err.status === 422 && err.fields) {
        state.range = "custom";
        paintPresets();
        [fromInput.value, toInput.value] = [from, to];
        const rest = showFieldErrors(custom, err.fields);
        if (!rest.length) return;
      }
      alert.replaceChildren(h("div", {class: "alert error", role: "alert"}, h("p", {text: err.message}),
        h("button", {type: "button", class: "secondary", text: "Try again", onclick: load})));
      alert.hidden = false;
    } finally {
      if (mine === ticket) {
        results.removeAttribute("aria-busy");
        main?.removeAttribute("aria-busy");
      }
    }
  }

  function paint(from) {
    results.hidden = false;
    const length = daysIn(data.from, data.to);
    const before = range(addDays(from, -length), addDays(from, -1));
    kpiBody.replaceChildren(...kpiCards(data, before));
    funnelBody.replaceChildren(...[funnel(data, funnelBody.clientWidth || view.clientWidth)].flat());
    const summary = chartSummary(data);
    chartBody.replaceChildren(
      trendChart(data.series || [], data.granularity, chartBody.clientWidth || view.clientWidth, summary),
      h("details", {class: "as-table"}, h("summary", {text: "Show as table"}), seriesTable(data)));
    paintTable();
    const dimension = DIMENSIONS.find(([k]) => k === state.by)[1].toLowerCase();
    status.textContent = `Showing ${range(data.from, data.to)} by ${dimension}: ${countText(data.totals?.policies_issued)} policies issued, net premium ${moneyText(data.totals?.net_premium)}.`;
  }

  await load();
}
