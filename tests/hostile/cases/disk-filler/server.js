import fs from "node:fs";
import http from "node:http";

// Fills every folder it can write, then fails the request with what stopped it.
function fill(folder) {
  const chunk = Buffer.alloc(1024 * 1024, 1);
  try {
    for (let index = 0; index < 100000; index += 1) {
      fs.writeFileSync(`${folder}/fill-${index}`, chunk);
    }
    return "never stopped";
  } catch (error) {
    return error.code;
  }
}

http.createServer((request, response) => {
  const stopped = { tmp: fill("/tmp"), project: fill(process.cwd()) };
  console.error(`writing stopped: ${JSON.stringify(stopped)}`);
  response.writeHead(507, { "content-type": "application/json" }).end(JSON.stringify(stopped));
}).listen(Number(process.env.PORT));
