import http from "node:http";

// Prints about 25 MiB of log a second, and answers every request.
const line = `${"x".repeat(1023)}\n`.repeat(256);
setInterval(() => process.stdout.write(line), 10);
http.createServer((request, response) => response.end("ok")).listen(Number(process.env.PORT));
