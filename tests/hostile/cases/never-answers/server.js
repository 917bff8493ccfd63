import http from "node:http";

// Accepts every request and never answers it.
http.createServer(() => {}).listen(Number(process.env.PORT));
