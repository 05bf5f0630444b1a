// Banners on the mall home: order (position), active dates, and create/edit/delete.
import {append, CHINA_TIME_NOTE, chinaInput, clearAlert, clearFieldErrors, empty, field, fromChinaInput, h, input, select, setBusy, setTitle, showAlert, showFieldErrors, when} from "./dom.js";
import {call} from "./shared.js";

const THEMES = [["blue", "Blue"], ["green", "Green"], ["orange", "Orange"], ["purple", "Purple"]];

function state(b, now = Date.now()) {
  if (b.active === false) return ["inactive", "Switched off"];
  if (b.starts_at && new Date(b.starts_at) > now) return ["scheduled", "Scheduled"];
  if (b.ends_at && new Date(b.ends_at) <= now) return ["ended", "Ended"];
  return ["live", "Showing now"];
}

export async function render(view) {
  setTitle("Banners");
  const alert = h("div", {hidden: true});
  const listSlot = h("div", {});
  const editorSlot = h("div", {});
  let banners = [];

  const load = async () => {
    const data = await call("/admin/banners");
    banners = [...(data.banners || [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    paintList();
  };

  function paintList() {
    if (!banners.length) return void listSlot.replaceChildren(empty("No banners yet. The mall home shows none until you add one."));
    listSlot.replaceChildren(h("div", {class: "table-wrap"}, h("table", {class: "list"},
      h("caption", {class: "sr-only", text: "Banners in position order"}),
      h("thead", {}, h("tr", {}, ["Position", "Banner", "Shows", "Status", "Actions"].map((t, i) => h("th", {scope: "col", class: i === 0 ? "num" : null, text: t})))),
      h("tbody", {}, banners.map((b) => {
        const [cls, label] = state(b);
        const actions = h("td", {class: "nowrap"});
        const paintActions = () => actions.replaceChildren(
          h("button", {type: "button", class: "secondary small", text: "Edit", "aria-label": `Edit ${b.title}`, onclick: () => edit(b)}), " ",
          h("button", {type: "button", class: "secondary small danger", text: "Delete", "aria-label": `Delete ${b.title}`, onclick: () => confirmDelete()}));
        const confirmDelete = () => actions.replaceChildren(
          h("span", {class: "small", text: "Delete this banner? "}),
          h("button", {type: "button", class: "small danger-solid", text: "Delete", "aria-label": `Yes, delete ${b.title}`, onclick: async (e) => {
            setBusy(e.target, true, "Deleting…");
            try {
              await call(`/admin/banners/${encodeURIComponent(b.banner_id)}`, {method: "DELETE"});
              showAlert(alert, `Deleted the banner “${b.title}”.`, "ok");
              await load();
            } catch (err) {
              setBusy(e.target, false);
              showAlert(alert, err.message);
            }
          }}), " ",
          h("button", {type: "button", class: "secondary small", text: "Keep", onclick: paintActions}));
        paintActions();
        return h("tr", {},
          h("td", {class: "num", text: b.position ?? ""}),
          h("td", {}, h("div", {class: `swatch theme-${b.theme || "blue"}`},
            h("strong", {text: b.title}), b.subtitle ? h("span", {text: b.subtitle}) : null),
          b.link ? h("div", {class: "muted small mono", text: b.link}) : null),
          h("td", {class: "small"}, `From ${when(b.starts_at)}`, h("br"), `until ${when(b.ends_at)}`),
          h("td", {}, h("span", {class: `badge ${cls}`, text: label})),
          actions);
      })))));
  }

  function edit(banner) {
    const hour = 3600 * 1000;
    const start = Math.floor(Date.now() / hour) * hour;  // this hour (China time is a whole number of hours from UTC)
    const b = banner || {theme: "blue", position: Math.min(99, (banners.at(-1)?.position ?? 0) + 1), active: true,
      starts_at: new Date(start).toISOString(), ends_at: new Date(start + 30 * 24 * hour).toISOString()};
    const title = input({value: b.title || "", maxlength: 60});
    const subtitle = input({value: b.subtitle || "", maxlength: 140});
    const link = input({value: b.link || "", placeholder: "/product.html?id=accident-guardian", spellcheck: false});
    const theme = select(THEMES, b.theme || "blue");
    const position = input({type: "number", min: 1, max: 99, step: 1, value: b.position ?? 1, inputmode: "numeric"});
    const starts = input({type: "datetime-local", value: chinaInput(b.starts_at)});
    const ends = input({type: "datetime-local", value: chinaInput(b.ends_at)});
    const active = h("input", {type: "checkbox", checked: b.active !== false, id: "banner-active"});
    const formAlert = h("div", {hidden: true});
    const preview = h("div", {class: "swatch big", "aria-hidden": "true"});
    const paintPreview = () => {
      preview.className = `swatch big theme-${theme.value}`;
      preview.replaceChildren(h("strong", {text: title.value || "Title"}), h("span", {text: subtitle.value || "Subtitle"}));
    };
    [title, subtitle].forEach((c) => c.addEventListener("input", paintPreview));
    theme.addEventListener("change", paintPreview);
    paintPreview();
    const save = h("button", {type: "submit", text: banner ? "Save banner" : "Create banner"});
    const form = h("form", {class: "card", novalidate: true},
      h("h2", {text: banner ? `Edit banner: ${banner.title}` : "New banner"}),
      formAlert,
      h("div", {class: "grid cols-2"},
        field("Title", title, {path: "title"}),
        field("Subtitle", subtitle, {path: "subtitle"}),
        field("Link", link, {path: "link", hint: "Where a tap goes: a storefront page or a search."}),
        field("Colour", theme, {path: "theme"}),
        field("Position", position, {path: "position", hint: "1 shows first."}),
        h("div", {class: "field", dataset: {field: "active"}}, h("label", {class: "choice", for: active.id}, active, "Active")),
        field("Shows from (China time)", starts, {path: "starts_at", hint: "It starts showing then."}),
        field("Shows until (China time)", ends, {path: "ends_at", hint: "It stops showing then."})),
      h("p", {class: "muted small", text: "Preview"}), preview,
      h("div", {class: "actions"}, save,
        h("button", {type: "button", class: "secondary", text: "Cancel", onclick: () => editorSlot.replaceChildren(newButton())})));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      clearAlert(formAlert);
      const body = {title: title.value.trim(), subtitle: subtitle.value.trim(), link: link.value.trim(), theme: theme.value,
        position: position.value === "" ? null : Number(position.value), starts_at: fromChinaInput(starts.value) || null,
        ends_at: fromChinaInput(ends.value) || null, active: active.checked};
      const problems = {};
      if (!body.title) problems.title = "Enter a title";
      if (!body.starts_at) problems.starts_at = "Choose when it starts showing";
      if (!body.ends_at) problems.ends_at = "Choose when it stops showing";
      if (body.starts_at && body.ends_at && Date.parse(body.ends_at) <= Date.parse(body.starts_at)) problems.ends_at = "Must be after the start";
      if (Object.keys(problems).length) return void showFieldErrors(form, problems);
      setBusy(save, true, "Saving…");
      try {
        await call(banner ? `/admin/banners/${encodeURIComponent(banner.banner_id)}` : "/admin/banners",
          {method: banner ? "PUT" : "POST", body});
        showAlert(alert, banner ? `Saved the banner “${body.title}”.` : `Created the banner “${body.title}”.`, "ok");
        editorSlot.replaceChildren(newButton());
        await load();
      } catch (err) {
        setBusy(save, false);
        showAlert(formAlert, err.message);
        const rest = showFieldErrors(form, err.fields);
        if (rest.length) formAlert.firstElementChild.append(h("ul", {}, rest.map(([k, t]) => h("li", {text: `${k}: ${t}`}))));
      }
    });
    editorSlot.replaceChildren(form);
    form.scrollIntoView({block: "start"});
    title.focus({preventScroll: true});
  }

  const newButton = () => h("div", {class: "actions"}, h("button", {type: "button", text: "New banner", onclick: () => edit(null)}));

  append(view, h("h1", {text: "Banners"}),
    h("p", {class: "muted", text: `Banners rotate at the top of the mall home in position order, between their start and end times. ${CHINA_TIME_NOTE}`}),
    alert, listSlot, editorSlot);
  editorSlot.append(newButton());
  await load();
}
