// Stays alive without ever listening.
setInterval(() => {}, 1000);
