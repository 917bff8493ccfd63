import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

// Looks for the grader's files, results and control socket, and tries to change them.
function walk(folder, depth, found) {
  if (depth < 0) return;
  let names = [];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const full = path.join(folder, name);
    if (/hubgrade-grading|results\.json|control\.sock|test_hostile\.py/.test(name)) found.push(full);
    walk(full, depth - 1, found);
  }
}

function escapes() {
  const seen = [];
  for (const root of ["/tmp", "/work", "/root", "/home"]) walk(root, 3, seen);
  const found = seen.map((full) => `found ${full}`);
  for (const full of seen) {
    try {
      if (full.endsWith("results.json")) {
        fs.writeFileSync(full, "{}");
        found.push(`changed ${full}`);
      }
      if (full.endsWith("control.sock")) {
        net.connect(full).on("error", () => {});
      }
    } catch {
      // Not writable: the grader's files are safe.
    }
  }
  if (process.env.HUBGRADE_GRADING_SESSION) found.push("knows the grading session file");
  return found;
}

http.createServer((request, response) => {
  if (request.url === "/escape") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(escapes()));
    return;
  }
  response.end("ok");
}).listen(Number(process.env.PORT));
