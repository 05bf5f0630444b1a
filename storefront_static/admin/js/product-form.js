// The product editor: every field of the product document, nested lists (plans with their coverages,
// terms, options, health questions, FAQ) as rows that can be added and removed. Each control carries its
// path in the document ("plans.0.coverages.1.sum_insured") so a 422 lands next to it.
import {$$, CHANNELS, field, h, input, readable, select, textarea, uid} from "./dom.js";
import {KINDS} from "./shared.js";

const SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$";
const num = (el) => (el.value.trim() === "" ? null : Number(el.value));
const lines = (el) => el.value.split("\n").map((l) => l.trim()).filter(Boolean);

// A control's place in the document: its own data-seg and its ancestors', joined with dots. A control in a
// row also gets the row in its accessible name ("Plan 2, coverage 1, Code"), as every row repeats "Code".
export function assignPaths(root) {
  $$("[data-seg]", root).forEach((el) => {
    const segs = [];
    for (let e = el; e; e = e.parentElement) if (e.dataset && e.dataset.seg !== undefined) segs.unshift(e.dataset.seg);
    el.dataset.field = segs.join(".");
    const label = el.classList.contains("field") && el.querySelector(":scope > label");
    if (!label || !/\.\d+\./.test(el.dataset.field + ".")) return;
    const row = readable(segs.slice(0, -1).join("."));
    const prefix = label.querySelector(".row-prefix") || label.insertBefore(h("span", {class: "sr-only row-prefix"}), label.firstChild);
    prefix.textContent = row.charAt(0).toUpperCase() + row.slice(1) + ", ";
  });
}

// One labelled control in a row; `seg` is its key inside the item.
function cell(label, control, seg, cls) {
  const wrap = field(label, control, {cls});
  wrap.dataset.seg = seg;
  return wrap;
}

// A list of rows. make(item) returns {el, read}; rows renumber themselves on add/remove.
// A compact list (coverages) puts each row on one line with its Remove button at the end.
function repeater({title, seg, items, make, addText, hint, blank, compact = false}) {
  const noun = addText.replace(/^Add (an? )?/, "");
  const list = h("ol", {class: `rows${compact ? " compact" : ""}`});
  const box = h("fieldset", {class: "repeater", dataset: {seg}}, h("legend", {text: title}),
    hint ? h("p", {class: "hint", text: hint}) : null, list);
  const renumber = () => {
    [...list.children].forEach((li, i) => {
      li.dataset.seg = String(i);
      const n = li.querySelector(".row-no");
      if (n) n.textContent = `${noun} ${i + 1}`;
      li.querySelector(".remove").setAttribute("aria-label", `Remove ${noun} ${i + 1}`);
    });
    assignPaths(box);
  };
  const add = (item, focus) => {
    const row = make(item || blank());
    const remove = h("button", {type: "button", class: "link danger remove", text: "Remove", onclick: () => {
      li.remove();
      renumber();
    }});
    const li = compact
      ? h("li", {class: "row-item"}, row.el, remove)
      : h("li", {class: "row-item"}, h("div", {class: "row-head"}, h("span", {class: "row-no"}), remove), row.el);
    li._read = row.read;
    list.append(li);
    renumber();
    if (focus) li.querySelector("input, textarea, select")?.focus();
  };
  (items || []).forEach((item) => add(item));
  box.append(h("button", {type: "button", class: "secondary small", text: addText, onclick: () => add(null, true)}));
  box._read = () => [...list.children].map((li) => li._read());
  return box;
}

const TERM_UNITS = [["days", "days"], ["months", "months"], ["years", "years"], ["to_age", "to age"]];

function termRow(t) {
  const unit = TERM_UNITS.map(([u]) => u).find((u) => t[u] !== undefined) || "months";
  const code = input({value: t.code || "", placeholder: "1Y", spellcheck: false});
  const label = input({value: t.label || "", placeholder: "1 year"});
  const length = input({type: "number", min: 1, step: 1, value: t[unit] ?? "", inputmode: "numeric"});
  const units = select(TERM_UNITS, unit);
  const lengthCell = cell("Length", length, unit);
  const el = h("div", {class: "grid cols-4"}, cell("Code", code, "code"), cell("Label", label, "label"),
    lengthCell, cell("Unit", units, "unit"));
  units.addEventListener("change", () => {
    lengthCell.dataset.seg = units.value;
    assignPaths(el);
  });
  return {
    el,
    read: () => ({code: code.value.trim(), label: label.value.trim(), [units.value]: num(length)}),
  };
}

function coverageRow(c) {
  const code = input({value: c.code || "", spellcheck: false});
  const name = input({value: c.name || ""});
  const sum = input({type: "number", min: 0, step: 1, value: c.sum_insured ?? "", inputmode: "numeric"});
  return {
    el: h("div", {class: "grid coverage"}, cell("Code", code, "code"), cell("Coverage", name, "name"),
      cell("Sum insured (CNY)", sum, "sum_insured")),
    read: () => ({code: code.value.trim(), name: name.value.trim(), sum_insured: num(sum)}),
  };
}

function planRow(p) {
  const code = input({value: p.code || "", placeholder: "standard", spellcheck: false});
  const name = input({value: p.name || "", placeholder: "Standard"});
  const sum = input({type: "number", min: 0, step: 1, value: p.sum_insured ?? "", inputmode: "numeric"});
  const coverages = repeater({title: "Coverages", seg: "coverages", items: p.coverages, make: coverageRow,
    addText: "Add a coverage", blank: () => ({}), compact: true});
  return {
    el: h("div", {}, h("div", {class: "grid cols-3"}, cell("Code", code, "code"), cell("Plan name", name, "name"),
      cell("Sum insured (CNY)", sum, "sum_insured")), coverages),
    read: () => ({code: code.value.trim(), name: name.value.trim(), sum_insured: num(sum), coverages: coverages._read()}),
  };
}

function optionRow(o) {
  const code = input({value: o.code || "", spellcheck: false});
  const name = input({value: o.name || ""});
  const description = textarea({value: o.description || "", rows: 2});
  return {
    el: h("div", {class: "grid cols-3"}, cell("Code", code, "code"), cell("Name", name, "name"),
      cell("Description", description, "description", "full")),
    read: () => ({code: code.value.trim(), name: name.value.trim(), description: description.value.trim()}),
  };
}

function questionRow(q) {
  const code = input({value: q.code || "", spellcheck: false});
  const text = textarea({value: q.text || "", rows: 2});
  const onYes = select([["refer", "Refer to an underwriter"], ["decline", "Decline"]], q.on_yes || "refer");
  return {
    el: h("div", {class: "grid cols-3"}, cell("Code", code, "code"), cell("If the answer is yes", onYes, "on_yes"),
      cell("Question", text, "text", "full")),
    read: () => ({code: code.value.trim(), text: text.value.trim(), on_yes: onYes.value}),
  };
}

function faqRow(f) {
  const q = input({value: f.q || ""});
  const a = textarea({value: f.a || "", rows: 2});
  return {
    el: h("div", {class: "grid"}, cell("Question", q, "q", "full"), cell("Answer", a, "a", "full")),
    read: () => ({q: q.value.trim(), a: a.value.trim()}),
  };
}

function section(title, seg, ...children) {
  return h("fieldset", {class: "card section", dataset: seg ? {seg} : undefined}, h("legend", {text: title}), children);
}

// Returns the form's sections and read(), which gives the product document the API takes.
export function productEditor(product, {insurers, categories}, {isNew}) {
  const p = product || {};
  const id = input({value: p.product_id || "", pattern: SLUG, spellcheck: false, readOnly: !isNew, required: true});
  const name = input({value: p.name || "", required: true});
  const insurer = select([["", "Choose an insurer"], ...insurers.map((i) => [i.insurer_id, i.name])], p.insurer_id || "");
  const category = select([["", "Choose a category"], ...categories.map((c) => [c.category_id, c.name])], p.category_id || "");
  const kinds = KINDS.some(([k]) => k === p.kind) || !p.kind ? KINDS : [...KINDS, [p.kind, p.kind]];
  const kind = select([["", "Choose a type"], ...kinds], p.kind || "");
  const summary = textarea({value: p.summary || "", rows: 2});
  const tags = input({value: (p.tags || []).join(", "), spellcheck: false});

  const ageMin = input({type: "number", min: 0, max: 120, step: 1, value: p.age_limits?.min ?? "", inputmode: "numeric"});
  const ageMax = input({type: "number", min: 0, max: 120, step: 1, value: p.age_limits?.max ?? "", inputmode: "numeric"});
  const occupation = select([["", "Not applicable"], ...[1, 2, 3, 4, 5, 6].map((n) => [String(n), `Classes 1 to ${n}`])],
    p.occupation_classes?.max ? String(p.occupation_classes.max) : "");
  const maxSum = input({type: "number", min: 0, step: 1, value: p.max_sum_insured_per_person ?? "", inputmode: "numeric"});
  const coolingOff = input({type: "number", min: 0, step: 1, value: p.cooling_off_days ?? 15, inputmode: "numeric"});
  const refundRule = select([["pro_rata", "Pro rata (unused days)"], ["short_rate", "Short-rate table"], ["none", "No refund"]],
    p.cancellation?.after_cooling_off || "pro_rata");
  const beneficiaries = h("input", {type: "checkbox", checked: !!p.has_beneficiaries, id: uid("in")});
  const reunderwrite = h("input", {type: "checkbox", checked: !!p.reunderwrite_on_renewal, id: uid("in")});

  const channelBoxes = CHANNELS.map(([code, label]) => {
    const box = h("input", {type: "checkbox", value: code, checked: (p.channels || (isNew ? ["h5", "pc"] : [])).includes(code), id: uid("ch")});
    return h("label", {class: "choice", for: box.id}, box, label);
  });

  const terms = repeater({title: "Terms", seg: "terms", items: p.terms || (isNew ? [{code: "1Y", label: "1 year", months: 12}] : []),
    make: termRow, addText: "Add a term", blank: () => ({})});
  const plans = repeater({title: "Plans", seg: "plans", items: p.plans || (isNew ? [{coverages: [{}]}] : []), make: planRow,
    addText: "Add a plan", blank: () => ({coverages: [{}]}),
    hint: "Each plan has a code (used in the rate table), a name, its headline sum insured and the coverages it pays."});
  const options = repeater({title: "Options", seg: "options", items: p.options, make: optionRow, addText: "Add an option",
    blank: () => ({}), hint: "Optional extras a customer can add; price them in the rate table's options."});
  const questions = repeater({title: "Health questions", seg: "health_questions", items: p.health_questions,
    make: questionRow, addText: "Add a question", blank: () => ({})});
  const faq = repeater({title: "FAQ", seg: "faq", items: p.faq, make: faqRow, addText: "Add a question and answer", blank: () => ({})});

  const notes = textarea({value: (p.purchase_notes || []).join("\n"), rows: 4});
  const exclusions = textarea({value: (p.exclusions || []).join("\n"), rows: 4});
  const termsSummary = textarea({value: p.terms_summary || "", rows: 3});

  const channels = h("fieldset", {class: "plain", dataset: {seg: "channels"}},
    h("legend", {text: "Channels and screens that show it"}), h("div", {class: "choices"}, channelBoxes));

  const el = h("div", {class: "editor"},
    section("Product", null,
      h("div", {class: "grid cols-3"},
        h("div", {class: "field", dataset: {seg: "product_id"}}, h("label", {for: id.id || (id.id = uid("in")), text: "Product id"}),
          h("p", {class: "hint", id: `${id.id}-hint`, text: isNew ? "Lower-case letters, digits and hyphens; cannot be changed later." : "Cannot be changed."}),
          id),
        cell("Product name", name, "name", "wide"),
        cell("Insurer", insurer, "insurer_id"),
        cell("Category", category, "category_id"),
        cell("Type", kind, "kind"),
        cell("Summary", summary, "summary", "full"),
        h("div", {class: "field full", dataset: {seg: "tags"}}, h("label", {for: tags.id || (tags.id = uid("in")), text: "Tags and needs"}),
          h("p", {class: "hint", id: `${tags.id}-hint`, text: "Comma-separated; customers' searches match them (e.g. travel, children, family)."}), tags)),
      channels),
    section("Who can buy", null,
      h("div", {class: "grid cols-3"},
        h("fieldset", {class: "plain pair", dataset: {seg: "age_limits"}}, h("legend", {text: "Age limits"}),
          h("div", {class: "grid cols-2"}, cell("Youngest", ageMin, "min"), cell("Oldest", ageMax, "max"))),
        h("div", {class: "field", dataset: {seg: "occupation_classes"}},
          h("label", {for: occupation.id || (occupation.id = uid("in")), text: "Occupation classes"}), occupation),
        cell("Most cover per person (CNY)", maxSum, "max_sum_insured_per_person"),
        cell("Cooling-off period (days)", coolingOff, "cooling_off_days"),
        cell("Refund after cooling-off", refundRule, "cancellation"),
        h("div", {class: "field", dataset: {seg: "has_beneficiaries"}},
          h("label", {class: "choice", for: beneficiaries.id}, beneficiaries, "Customers name beneficiaries")))),
    section("Plans and coverages", null, plans),
    section("Terms and options", null, terms, options),
    section("Underwriting", null, questions,
      h("div", {class: "field", dataset: {seg: "reunderwrite_on_renewal"}},
        h("label", {class: "choice", for: reunderwrite.id}, reunderwrite, "Ask the health questions again at each renewal"),
        h("p", {class: "hint", id: `${reunderwrite.id}-hint`, text: "Unticked: guaranteed renewal, the first answers stand."}))),
    section("Product page text", null,
      h("div", {class: "grid"},
        h("div", {class: "field full", dataset: {seg: "purchase_notes"}}, h("label", {for: notes.id || (notes.id = uid("in")), text: "Purchase notes"}),
          h("p", {class: "hint", id: `${notes.id}-hint`, text: "One note per line."}), notes),
        h("div", {class: "field full", dataset: {seg: "exclusions"}}, h("label", {for: exclusions.id || (exclusions.id = uid("in")), text: "Exclusions"}),
          h("p", {class: "hint", id: `${exclusions.id}-hint`, text: "One exclusion per line."}), exclusions),
        cell("Terms summary", termsSummary, "terms_summary", "full")),
      faq));
  [id, tags, notes, exclusions, reunderwrite].forEach((c) => c.setAttribute("aria-describedby", `${c.id}-hint`));
  assignPaths(el);

  const read = () => ({
    ...(isNew ? {product_id: id.value.trim()} : {}),
    name: name.value.trim(),
    insurer_id: insurer.value,
    category_id: category.value,
    kind: kind.value,
    summary: summary.value.trim(),
    tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
    age_limits: {min: num(ageMin), max: num(ageMax)},
    terms: terms._read(),
    plans: plans._read(),
    options: options._read(),
    occupation_classes: occupation.value ? {max: Number(occupation.value)} : null,
    health_questions: questions._read(),
    has_beneficiaries: beneficiaries.checked,
    max_sum_insured_per_person: num(maxSum),
    cooling_off_days: num(coolingOff),
    cancellation: {after_cooling_off: refundRule.value},
    reunderwrite_on_renewal: reunderwrite.checked,
    purchase_notes: lines(notes),
    exclusions: lines(exclusions),
    terms_summary: termsSummary.value.trim(),
    faq: faq._read(),
    channels: channelBoxes.map((l) => l.querySelector("input")).filter((b) => b.checked).map((b) => b.value),
  });

  // Checks the browser can make before a round trip; the API checks everything again.
  const check = () => {
    const problems = {};
    const doc = read();
    if (isNew && !new RegExp(SLUG).test(doc.product_id)) problems.product_id = "Use lower-case letters, digits and hyphens, e.g. accident-plus";
    if (!doc.name) problems.name = "Enter the product's name";
    if (!doc.insurer_id) problems.insurer_id = "Choose the insurer";
    if (!doc.category_id) problems.category_id = "Choose a category";
    if (!doc.kind) problems.kind = "Choose the type of cover";
    if (!doc.plans.length) problems.plans = "Add at least one plan";
    if (!doc.terms.length) problems.terms = "Add at least one term";
    return problems;
  };

  return {el, read, check, assign: () => assignPaths(el)};
}
