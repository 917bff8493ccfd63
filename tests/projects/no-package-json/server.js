require("http").createServer((request, response) => response.end("ok")).listen(process.env.PORT || 3000);
