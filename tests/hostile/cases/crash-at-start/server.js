// Throws before it listens.
throw new Error("crashed on purpose at start-up");
