import http from "node:http";

// Listens on the container's own loopback, which nothing outside can reach.
http.createServer((request, response) => response.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
