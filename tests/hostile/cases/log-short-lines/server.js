import http from "node:http";

// Prints a two-byte line at a time: little text, but each line costs Docker about 70
// bytes of log file, so the log limit is reached long before 2 MiB of text.
const lines = "x\n".repeat(64 * 1024);
for (let burst = 0; burst < 16; burst += 1) process.stdout.write(lines);
http.createServer((request, response) => response.end("ok")).listen(Number(process.env.PORT));
