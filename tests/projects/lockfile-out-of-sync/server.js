console.log("configuration loaded, nothing to serve");
process.exit(3);
