import net from "node:net";

// Speaks something that is not HTTP on the HTTP port.
net.createServer((socket) => {
  socket.on("error", () => {});
  socket.end("this is not HTTP at all\r\n\r\n");
}).listen(Number(process.env.PORT));
