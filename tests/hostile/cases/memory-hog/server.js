import http from "node:http";

// Responds to GET / once, then allocates memory until it is killed.
const hoard = [];
http.createServer((request, response) => {
  response.end("ok");
  setInterval(() => hoard.push(Buffer.alloc(16 * 1024 * 1024, 1)), 5);
}).listen(Number(process.env.PORT));
