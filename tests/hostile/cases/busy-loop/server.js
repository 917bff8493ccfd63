import http from "node:http";

// Spins forever on every request, so the event loop never responds again.
http.createServer(() => {
  for (;;) {}
}).listen(Number(process.env.PORT));
