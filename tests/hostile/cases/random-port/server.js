import http from "node:http";

// Ignores PORT and listens on a port of its own choosing.
const port = 4000 + Math.floor(Math.random() * 20000);
http.createServer((request, response) => response.end("ok")).listen(port, () => console.log(`listening on ${port}`));
