import fs from "node:fs";
import http from "node:http";
import net from "node:net";

// Tries to read and write outside its project, and to reach the Docker socket.
function attempt(name, action) {
  try {
    action();
    return name;
  } catch {
    return null;
  }
}

function dockerSocket() {
  return new Promise((resolve) => {
    const socket = net.connect("/var/run/docker.sock");
    socket.on("connect", () => { socket.destroy(); resolve("connected to /var/run/docker.sock"); });
    socket.on("error", () => resolve(null));
    setTimeout(() => { socket.destroy(); resolve(null); }, 1000);
  });
}

async function escapes() {
  const found = [
    attempt("read /etc/shadow", () => fs.readFileSync("/etc/shadow")),
    attempt("wrote /etc/hubgrade-escape", () => fs.writeFileSync("/etc/hubgrade-escape", "x")),
    attempt("wrote into the project", () => fs.writeFileSync(`${process.cwd()}/escape.txt`, "x")),
    attempt("listed /root", () => fs.readdirSync("/root")),
    attempt("listed /work", () => fs.readdirSync("/work")),
    attempt("read /etc/shadow through /proc/1/root", () => fs.readFileSync("/proc/1/root/etc/shadow")),
    await dockerSocket(),
  ];
  return found.filter(Boolean);
}

http.createServer(async (request, response) => {
  if (request.url === "/escape") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(await escapes()));
    return;
  }
  response.end("ok");
}).listen(Number(process.env.PORT));
