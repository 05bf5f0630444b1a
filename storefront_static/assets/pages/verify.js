import {api} from "../api.js";
import "../session.js";
import {$, day, h, param} from "../ui.js";

// Public: no session. The answer never carries personal data, only whether the policy is genuine.
const STATUS = {in_force: "in force", cancelled: "cancelled", expired: "expired"};

async function verify(code) {
  const result = $("#result");
  result.replaceChildren(h("p", {text: "Checking…"}));
  try {
    const p = await api(`/verify/${encodeURIComponent(code)}`);
    const good = p.status === "in_force";
    // A superseded copy is genuine but out of date: say so first, then what the current version says.
    const superseded = p.current === false;
    result.replaceChildren(h("section", {class: "card", id: "verdict"},
      h("h2", {text: good ? "Genuine policy, in force" : `Genuine policy, ${STATUS[p.status] || p.status}`}),
      superseded ? h("p", {class: "alert info", id: "superseded",
        text: `This document is version ${p.document_version}, superseded by version ${p.superseded_by}` +
          `${p.superseded_on ? ` on ${day(p.superseded_on)}` : ""}. What it printed may no longer hold: the details below are the current version's.`}) : null,
      h("dl", {class: "facts"},
        h("dt", {text: "Policy"}), h("dd", {text: p.policy_no}),
        h("dt", {text: "Product"}), h("dd", {text: `${p.product_name} (${p.plan})`}),
        h("dt", {text: "Insurer"}), h("dd", {text: p.insurer_name}),
        h("dt", {text: "Cover"}), h("dd", {text: `${day(p.start_date)} to ${day(p.end_date)}`}),
        p.current_version ? [h("dt", {text: "Document"}), h("dd", {id: "document-version",
          text: superseded ? `Version ${p.document_version} scanned; current version ${p.current_version}` : `Version ${p.current_version}, the current one`})] : null)));
  } catch (err) {
    const text = err.status === 404 || err.status === 400 ? "No policy matches this code." : err.message;
    result.replaceChildren(h("section", {class: "card", id: "verdict"}, h("h2", {text})));
  }
}

$("#verify-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = $("#code").value.trim().toUpperCase();
  if (code) {
    history.replaceState(null, "", `?code=${encodeURIComponent(code)}`);
    verify(code);
  }
});

const initial = param("code");
if (initial) {
  $("#code").value = initial;
  verify(initial.trim().toUpperCase());
}
