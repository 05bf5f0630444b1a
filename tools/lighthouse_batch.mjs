// Lighthouse (tools/node_modules, pinned) on several pages in one node process, on a Chromium that is
// already running with a remote-debugging port: tools/storefront_audit.py starts that Chromium (and
// signs it in where pages need a session) and reads the JSON reports this writes.
//
//   node tools/lighthouse_batch.mjs job.json
//   job.json: {"port": 9222, "categories": ["performance", ...],
//              "runs": [{"url": "...", "preset": "mobile" | "desktop", "output": "/path/report.json"}]}
//
// Each run opens its own tab and resets the origin's caches first (Lighthouse's storage reset clears
// the HTTP cache, service workers and cache storage, not localStorage, so a signed-in session stays).
// One process for many runs saves Lighthouse's start-up and configuration (~5 s a run on a small
// machine). A run that throws writes {"runtimeError": {"message"}} to its output instead.
import {readFile, writeFile} from "node:fs/promises";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const job = JSON.parse(await readFile(process.argv[2], "utf8"));
for (const run of job.runs) {
  const flags = {
    port: job.port,
    output: "json",
    logLevel: "error",
    onlyCategories: job.categories,
    // Only the HTML report viewer shows it; gathering it costs about a second a run.
    disableFullPageScreenshot: true,
  };
  try {
    const result = await lighthouse(run.url, flags, run.preset === "desktop" ? desktopConfig : undefined);
    await writeFile(run.output, result.report);
  } catch (err) {
    await writeFile(run.output, JSON.stringify({runtimeError: {message: String(err && err.message || err)}}));
  }
}
