import http from "node:http";

// Prints about 25 MiB of log a second, and responds to every request.
const line = `${"x".repeat(1023)}\n`.repeat(256);
// A burst of 8 MiB before it listens, so the log is over the limit by the time it is
// graded however fast the grading goes (writes to a pipe are synchronous on Linux).
for (let burst = 0; burst < 32; burst += 1) process.stdout.write(line);
setInterval(() => process.stdout.write(line), 10);
http.createServer((request, response) => response.end("ok")).listen(Number(process.env.PORT));
