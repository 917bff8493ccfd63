import http from "node:http";

const server = http.createServer((request, response) => {
  response.end("unfinished"
});
server.listen(process.env.PORT ?? 3000);
