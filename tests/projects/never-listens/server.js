// Keeps the event loop busy with a timer but never calls listen().
console.log("starting up...");
setInterval(() => {}, 1000);
