require("http").createServer((request, response) => response.end("ok")).listen(process.env.PORT || 3000, "127.0.0.1");
