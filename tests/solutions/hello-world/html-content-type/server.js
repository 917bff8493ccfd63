import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.get("/", (req, res) => {
  res.send("Hello, World!");
});

app.get("/hello/:name", (req, res) => {
  res.send(`Hello, ${req.params.name}!`);
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
