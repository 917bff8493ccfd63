// Ends at once, successfully, without listening.
process.exit(0);
