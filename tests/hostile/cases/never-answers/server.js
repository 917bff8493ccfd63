import http from "node:http";

// Accepts every request and never responds.
http.createServer(() => {}).listen(Number(process.env.PORT));
