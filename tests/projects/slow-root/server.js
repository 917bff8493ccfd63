import http from "node:http";

// GET / never responds; every other path does, so the server must still be graded.
const server = http.createServer((request, response) => {
  if (request.url === "/") {
    return;
  }
  response.writeHead(200, { "content-type": "text/plain" });
  response.end(`Hello, ${decodeURIComponent(request.url.split("/").pop())}!`);
});
server.listen(Number(process.env.PORT ?? 3000), () => console.log("listening"));
