import http from "node:http";

// Responds with a body that trickles out at one byte a second, forever.
http.createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  const timer = setInterval(() => response.write("."), 1000);
  response.on("close", () => clearInterval(timer));
}).listen(Number(process.env.PORT));
