// Rate tables: the versions published so far, and a form that uploads a CSV file as the next version.
import {append, chinaToday, clearAlert, clearFieldErrors, day, empty, field, h, input, money, setBusy, showAlert, showFieldErrors, textarea, when} from "./dom.js";
import {call} from "./shared.js";

const HEADER = ["plan", "term", "age_min", "age_max", "gender", "premium"];

// A starting CSV with one row per plan and term over the product's whole age range.
function template(product) {
  const min = product.age_limits?.min ?? 18;
  const max = product.age_limits?.max ?? 65;
  const rows = [];
  for (const plan of product.plans || []) {
    for (const term of product.terms || []) rows.push([plan.code, term.code, min, max, "*", ""].join(","));
  }
  return [HEADER.join(","), ...rows].join("\n") + "\n";
}

function parseJson(text, name, problems) {
  if (!text.trim()) return undefined;
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
    problems[name] = "Must be a JSON object, e.g. {\"1\": \"1.00\"}";
  } catch (err) {
    problems[name] = `Is not valid JSON (${err.message})`;
  }
  return undefined;
}

function versionsTable(versions, current) {
  if (!versions.length) return empty("No rate table yet. Customers cannot get a quote and the product cannot go on shelf until one is published.");
  return h("div", {class: "table-wrap"}, h("table", {class: "list"},
    h("caption", {class: "sr-only", text: "Published rate table versions"}),
    h("thead", {}, h("tr", {}, ["Version", "Effective from", "Basis", "Rows", "Published", "By"]
      .map((t) => h("th", {scope: "col", text: t})))),
    h("tbody", {}, [...versions].sort((a, b) => b.version - a.version).map((v) => h("tr", {class: v.version === current ? "current" : null},
      h("td", {}, `v${v.version}`, v.version === current ? h("span", {class: "badge on_shelf", text: "current"}) : null),
      h("td", {text: day(v.effective_from)}),
      h("td", {text: v.basis || "table"}),
      h("td", {class: "num", text: Array.isArray(v.rows) ? v.rows.length : v.rows ?? ""}),
      h("td", {text: when(v.published_at)}),
      h("td", {text: v.published_by?.email || v.published_by || ""}))))));
}

export async function renderRates(panel, product, onPublished) {
  const path = `/admin/products/${encodeURIComponent(product.product_id)}/rate-tables`;
  const list = h("div", {});
  let current = product.rate_table_version;
  const loadVersions = async () => {
    const data = await call(path);
    list.replaceChildren(versionsTable(data.versions || [], current));
    return data.versions || [];
  };
  const versions = await loadVersions();
  const next = () => Math.max(0, current || 0, ...versions.map((v) => v.version)) + 1;

  const alert = h("div", {hidden: true});
  const file = h("input", {type: "file", accept: ".csv,text/csv", name: "csv"});
  const preview = h("div", {class: "csv-preview", "aria-live": "polite"});
  const effective = input({type: "date", name: "effective_from", value: chinaToday()});
  const factors = textarea({name: "factors", rows: 3, spellcheck: false, class: "mono",
    placeholder: "{\"occupation_class\": {\"1\": \"1.00\", \"2\": \"1.20\", \"3\": \"1.60\", \"4\": \"2.30\"}}"});
  const options = textarea({name: "options", rows: 3, spellcheck: false, class: "mono",
    placeholder: (product.options || []).length
      ? JSON.stringify(Object.fromEntries(product.options.map((o, i) => [o.code, i % 2 ? {method: "multiply", factor: "1.10"} : {method: "add", amount: "30.00"}])))
      : "{\"option_code\": {\"method\": \"add\", \"amount\": \"30.00\"}}"});
  const publish = h("button", {type: "submit"});
  const paintPublish = () => { publish.textContent = `Publish as version ${next()}`; };
  paintPublish();
  let csv = "";
  let fileName = "";

  const csvLines = () => csv.replace(/\r\n?/g, "\n").split("\n");
  const showPreview = (badRow) => {
    if (!csv) return void preview.replaceChildren();
    const rows = csvLines().filter((l, i, all) => l.trim() || i < all.length - 1);
    const body = rows.slice(1);
    const shown = body.slice(0, 8).map((l, i) => [i + 2, l]);
    const columns = (rows[0] || "").split(",").length;
    if (badRow && badRow > 9 && rows[badRow - 1] !== undefined) shown.push(["…", ""], [badRow, rows[badRow - 1]]);
    preview.replaceChildren(
      h("p", {class: "muted small", text: `${fileName}: ${body.filter((l) => l.trim()).length} rate rows; columns ${rows[0] || "(none)"}`}),
      h("div", {class: "table-wrap"}, h("table", {class: "csv"},
        h("caption", {class: "sr-only", text: "First rows of the file"}),
        h("thead", {}, h("tr", {}, h("th", {scope: "col", class: "num", text: "Row"}),
          (rows[0] || "").split(",").map((c) => h("th", {scope: "col", text: c.trim()})))),
        h("tbody", {}, shown.map(([n, line]) => n === "…"
          ? h("tr", {}, h("td", {class: "num", text: "…"}), h("td", {colspan: String(columns), class: "muted", text: `${badRow - 10} rows not shown`}))
          : h("tr", {class: n === badRow ? "bad" : null},
            h("td", {class: "num", text: String(n)}), line.split(",").map((c) => h("td", {text: c.trim()}))))))));
  };

  file.addEventListener("change", () => {
    clearFieldErrors(form);
    csv = "";
    fileName = "";
    preview.replaceChildren();
    const chosen = file.files[0];
    if (!chosen) return;
    if (chosen.size > 1024 * 1024) return void showFieldErrors(form, {csv: "Is larger than 1 MB; a rate table is a few hundred rows"});
    const reader = new FileReader();
    reader.onload = () => {
      csv = String(reader.result).replace(/^\uFEFF/, "");
      fileName = chosen.name;
      showPreview();
    };
    reader.onerror = () => showFieldErrors(form, {csv: "Could not be read. Choose the file again"});
    reader.readAsText(chosen);
  });

  const download = h("a", {download: `${product.product_id}-rates.csv`, text: "Download a CSV template for this product's plans and terms",
    href: URL.createObjectURL(new Blob([template(product)], {type: "text/csv"}))});

  const form = h("form", {class: "card", novalidate: true},
    h("h2", {text: "Upload a new rate table"}),
    h("p", {}, "One row per plan, term, age band and gender (", h("code", {text: "*"}), " for either), premiums in CNY. Columns: ",
      h("code", {text: HEADER.join(",")}), ". ", download, "."),
    alert,
    h("div", {class: "grid cols-2"},
      field("Rate table (CSV file)", file, {path: "csv"}),
      field("Effective from", effective, {path: "effective_from"})),
    preview,
    h("details", {},
      h("summary", {text: "Rating factors and option prices (optional)"}),
      h("div", {class: "grid cols-2"},
        field("Factors (JSON)", factors, {path: "factors", hint: "Multipliers by occupation class. Leave empty to keep the previous version's."}),
        field("Options (JSON)", options, {path: "options", hint: "Price of each option: add an amount, or multiply by a factor. Leave empty to keep the previous version's."}))),
    h("p", {class: "note"}, h("strong", {text: "Quotes already given keep their version. "}),
      "Publishing makes this the product's current rate table for new quotes; a customer who was quoted on an earlier version pays that quote's premium until it expires."),
    h("div", {class: "actions"}, publish));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearAlert(alert);
    const problems = {};
    if (!csv) problems.csv = "Choose the CSV file to upload";
    if (!effective.value) problems.effective_from = "Choose the date the rates take effect";
    const body = {csv, effective_from: effective.value};
    const f = parseJson(factors.value, "factors", problems);
    const o = parseJson(options.value, "options", problems);
    if (f) body.factors = f;
    if (o) body.options = o;
    if (Object.keys(problems).length) {
      if (problems.factors || problems.options) form.querySelector("details").open = true;
      return void showFieldErrors(form, problems);
    }
    setBusy(publish, true, "Publishing…");
    try {
      const result = await call(path, {method: "POST", body});
      const before = current;
      current = result.version;
      setBusy(publish, false);
      showAlert(alert, `Published version ${result.version}: ${result.rows} rows` +
        (result.premium_from ? `, premiums from ${money(result.premium_from)}` : "") + ". New quotes use it" +
        (before ? `; quotes already given on version ${before} keep their premium.` : "."), "ok");
      onPublished(result);
      form.reset();
      effective.value = chinaToday();
      csv = "";
      preview.replaceChildren();
      await loadVersions().catch(() => {});
      paintPublish();
    } catch (err) {
      setBusy(publish, false);
      showAlert(alert, err.status === 422 ? "The rate table was not published. Please correct the problems marked below." : err.message);
      if (err.fields?.factors || err.fields?.options) form.querySelector("details").open = true;
      const rest = showFieldErrors(form, err.fields);
      if (rest.length) alert.firstElementChild.append(h("ul", {}, rest.map(([k, t]) => h("li", {text: `${k}: ${t}`}))));
      const bad = /row (\d+)/i.exec(err.fields?.csv || "");
      if (bad) showPreview(Number(bad[1]));
    }
  });

  append(panel, h("h2", {text: "Rate table versions"}), list, form);
}
