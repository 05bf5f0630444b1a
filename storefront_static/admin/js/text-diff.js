// What changed between two texts, word by word, for the audit trail: the changed words marked, with
// some unchanged text around each change and the rest elided, so a change deep in a long text shows.

// Words, single CJK characters (Chinese has no spaces between words), runs of space, single marks.
const TOKEN = /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
// Past this many cells the middle is shown as one replaced block (still exact, just not word by word).
const MAX_CELLS = 1_000_000;

const tokens = (text) => text.match(TOKEN) || [];

// [[op, text], ...] with op "=" (in both), "-" (only in `before`) or "+" (only in `after`).
export function diffWords(before, after) {
  const a = tokens(before);
  const b = tokens(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const ops = [];
  const push = (op, text) => {
    if (!text) return;
    const last = ops[ops.length - 1];
    if (last && last[0] === op) last[1] += text;
    else ops.push([op, text]);
  };
  push("=", a.slice(0, start).join(""));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > MAX_CELLS) {
    push("-", midA.join(""));
    push("+", midB.join(""));
  } else {
    // Longest common subsequence of the middle tokens; lcs[i][j] for midA[i:], midB[j:].
    const n = midA.length;
    const m = midB.length;
    const lcs = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) { push("=", midA[i]); i++; j++; }
      else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) { push("+", midB[j]); j++; }
      else { push("-", midA[i]); i++; }
    }
  }
  push("=", a.slice(endA).join(""));
  return ops;
}

// Unchanged text cut to `context` characters next to a change (at a space where there is one).
function elide(text, {first, last, context}) {
  if (text.length <= (first || last ? context : 2 * context) + 1) return text;
  const head = (t) => { const cut = t.slice(0, context); const space = cut.lastIndexOf(" "); return space > context / 2 ? cut.slice(0, space + 1) : cut; };
  const tail = (t) => { const cut = t.slice(-context); const space = cut.indexOf(" "); return space >= 0 && space < context / 2 ? cut.slice(space) : cut; };
  if (first) return "…" + tail(text);
  if (last) return head(text) + "…";
  return head(text) + " … " + tail(text);
}

// The two sides of a change as [{text, changed}] parts: `side` "-" is the old text, "+" the new.
export function diffSides(before, after, context = 60) {
  const ops = diffWords(before, after);
  const sides = {"-": [], "+": []};
  ops.forEach(([op, text], index) => {
    if (op === "=") {
      const cut = elide(text, {first: index === 0, last: index === ops.length - 1, context});
      sides["-"].push({text: cut, changed: false});
      sides["+"].push({text: cut, changed: false});
    } else {
      sides[op].push({text, changed: true});
    }
  });
  return sides;
}
