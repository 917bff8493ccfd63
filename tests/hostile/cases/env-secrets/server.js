import fs from "node:fs";
import http from "node:http";

// Looks for the secrets of the process that started it, in its environment and in /proc.
const SECRET_NAMES = ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "HUBGRADE_TEST_SECRET"];

function escapes() {
  const found = SECRET_NAMES.filter((name) => name in process.env).map((name) => `environment has ${name}`);
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "utf8");
      for (const name of SECRET_NAMES) {
        if (environ.includes(`${name}=`)) found.push(`/proc/${entry}/environ has ${name}`);
      }
    } catch {
      // Another user's process: not readable, as it should be.
    }
  }
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
