import http from "node:http";

// Sends 400 MiB on every request, as fast as the reader takes it.
const chunk = Buffer.alloc(1024 * 1024, 120);
http.createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  let sent = 0;
  const more = () => {
    while (sent < 400) {
      sent += 1;
      if (!response.write(chunk)) {
        response.once("drain", more);
        return;
      }
    }
    response.end();
  };
  more();
}).listen(Number(process.env.PORT));
