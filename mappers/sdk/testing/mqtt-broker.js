// A real MQTT broker (aedes, the embedded broker edgecore's eventbus uses) in its own process for the push tests:
// aedes is ESM-only and jest's module system cannot require() it, while plain Node 20.19+ can.
// Prints one line {"port": N} once listening on 127.0.0.1; stops on SIGTERM.
const { createServer } = require('node:net');
const { Aedes } = require('aedes');

async function main() {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    broker.close(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`mqtt-broker: ${error.stack ?? error}\n`);
  process.exit(1);
});
