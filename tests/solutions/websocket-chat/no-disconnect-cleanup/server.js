import { createServer } from "node:http";
import express from "express";
import { Server } from "socket.io";

const app = express();
const httpServer = createServer(app);
const io = new Server(httpServer);
const port = Number(process.env.PORT) || 3000;

// room name -> Map of socket id -> user name, for the users list in the join reply.
const members = new Map();

function isName(value) {
  return typeof value === "string" && value.trim() !== "";
}

// Calls the client's acknowledgement callback when it sent one.
function reply(ack, body) {
  if (typeof ack === "function") ack(body);
}

function leaveRoom(socket) {
  const { room, user } = socket.data;
  if (room === undefined) return;
  socket.leave(room);
  socket.data = {};
  const users = members.get(room);
  users?.delete(socket.id);
  if (users?.size === 0) members.delete(room);
  socket.to(room).emit("user-left", { room, user });
}

io.on("connection", (socket) => {
  socket.on("join", (payload, ack) => {
    const { room, user } = payload ?? {};
    if (!isName(room) || !isName(user)) {
      return reply(ack, { ok: false, error: "room and user must be non-empty strings" });
    }
    socket.join(room);
    socket.data = { room, user };
    if (!members.has(room)) members.set(room, new Map());
    members.get(room).set(socket.id, user);
    socket.to(room).emit("user-joined", { room, user });
    reply(ack, { ok: true, room, users: [...members.get(room).values()] });
  });

  socket.on("chat-message", (payload, ack) => {
    const { room, user } = socket.data;
    if (room === undefined) {
      return reply(ack, { ok: false, error: "join a room first" });
    }
    const text = payload?.text;
    if (!isName(text)) {
      return reply(ack, { ok: false, error: "text must be a non-empty string" });
    }
    io.to(room).emit("chat-message", { room, user, text, time: new Date().toISOString() });
    reply(ack, { ok: true });
  });

  socket.on("leave", (ack) => {
    const { room } = socket.data;
    if (room === undefined) {
      return reply(ack, { ok: false, error: "not in a room" });
    }
    leaveRoom(socket);
    reply(ack, { ok: true, room });
  });

});

httpServer.listen(port, () => {
  console.log(`Chat server listening on port ${port}`);
});
