// The signed-in customer: the Cognito id token and e-mail, kept in localStorage.
const KEY = "insuremall.session";
const REF_KEY = "insuremall.ref";

const REF_DAYS = 30;

// The invitation code a shared link carried (?ref=...), if it arrived in the last 30 days.
export function referrer() {
  try {
    const saved = JSON.parse(localStorage.getItem(REF_KEY) || "null");
    if (saved && typeof saved.code === "string" && Date.now() - saved.at < REF_DAYS * 864e5) return saved.code;
  } catch { /* unreadable or storage disabled: nothing to attribute */ }
  return null;
}

// A shared link carries the sharer's invitation code (?ref=...) on any page: remember it so a later
// sign-up or purchase is attributed to the sharer. The first link wins until it is 30 days old.
const arrivedRef = new URLSearchParams(location.search).get("ref");
if (arrivedRef && /^[A-Za-z0-9-]{4,32}$/.test(arrivedRef) && !referrer()) {
  try {
    localStorage.setItem(REF_KEY, JSON.stringify({code: arrivedRef, at: Date.now()}));
  } catch { /* storage disabled: nothing to attribute */ }
}

export function getSession() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || "null");
    if (s && s.idToken && s.expiresAt > Date.now()) return s;
  } catch { /* unreadable: treat as signed out */ }
  return null;
}

export function saveSession(tokens, email) {
  const expiresAt = Date.now() + (Number(tokens.expires_in) || 3600) * 1000 - 60000;
  localStorage.setItem(KEY, JSON.stringify({idToken: tokens.id_token, email, expiresAt}));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

// The member id of the signed-in customer, remembered in the session once /members/me told it.
export function rememberMember(member) {
  const s = getSession();
  if (!s || !member) return;
  localStorage.setItem(KEY, JSON.stringify({...s, memberId: member.member_id, name: member.display_name || ""}));
}

// Only our own pages may be a "next" target, never another site.
export function safeNext(next) {
  return /^[a-z][a-z0-9-]*\.html(\?[^#]*)?$/i.test(next || "") ? next : "index.html";
}

export function currentPage() {
  return (location.pathname.split("/").pop() || "index.html") + location.search;
}

export function goToSignIn() {
  location.replace("signin.html?next=" + encodeURIComponent(currentPage()));
}

// For pages that need a signed-in customer: returns the session or leaves for the sign-in page.
export function requireSession() {
  const s = getSession();
  if (!s) goToSignIn();
  return s;
}

// The header's last item: "Sign in", or the e-mail and a "Sign out" button.
export function renderNav() {
  const slot = document.getElementById("nav-auth");
  if (!slot) return;
  const s = getSession();
  slot.replaceChildren();
  if (!s) {
    const a = document.createElement("a");
    const here = currentPage();
    a.href = /^sign(in|up)\.html/.test(here) ? "signin.html" : "signin.html?next=" + encodeURIComponent(here);
    a.textContent = "Sign in";
    slot.append(a);
    return;
  }
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = s.email;
  const out = document.createElement("button");
  out.type = "button";
  out.className = "link";
  out.textContent = "Sign out";
  out.addEventListener("click", () => {
    clearSession();
    location.href = "index.html";
  });
  slot.append(who, " ", out);
}

renderNav();
