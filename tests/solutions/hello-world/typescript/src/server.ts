import express, { type Request, type Response } from "express";

const app = express();
const port: number = Number(process.env.PORT) || 3000;

app.get("/", (_request: Request, response: Response) => {
  response.type("text/plain").send("Hello, World!");
});

app.get("/hello/:name", (request: Request<{ name: string }>, response: Response) => {
  response.type("text/plain").send(`Hello, ${request.params.name}!`);
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
