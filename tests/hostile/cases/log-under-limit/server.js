import http from "node:http";

// Prints 1.5 MiB in lines of 1 KiB, under the suite's log limit of 2 MiB even with
// Docker's wrapping of each line, then serves requests: no limit may be reported.
const line = `${"x".repeat(1023)}\n`.repeat(256);
for (let burst = 0; burst < 6; burst += 1) process.stdout.write(line);
http.createServer((request, response) => response.end("ok")).listen(Number(process.env.PORT));
