import http from "node:http";
import { spawn } from "node:child_process";

// Starts processes without end on every request, and fails the request once it cannot.
const children = [];
http.createServer((request, response) => {
  let failed = null;
  let pending = 400;
  for (let index = 0; index < 400; index += 1) {
    try {
      const child = spawn("sleep", ["600"], { stdio: "ignore" });
      children.push(child);
      child.on("error", (error) => { failed = error.code; });
      child.on("spawn", () => {});
    } catch (error) {
      failed = error.code ?? String(error);
    }
    pending -= 1;
  }
  setTimeout(() => {
    if (failed) {
      console.error(`could not start a process: ${failed}`);
      response.writeHead(500).end(`could not start a process: ${failed}`);
    } else {
      response.end("ok");
    }
  }, 300);
}).listen(Number(process.env.PORT));
