// A local Bluesky network for smm's integration tests: @atproto/dev-env's TestNetwork
// (PLC directory + PDS + AppView + Ozone in this one process; AppView and Ozone on PostgreSQL + Redis).
// Started by tests/peers/bluesky.sh with `node -r ./loopback.js devnet.js`; configured by env vars:
//   SMM_PLC_PORT SMM_PDS_PORT SMM_APPVIEW_PORT SMM_OZONE_PORT, DB_POSTGRES_URL, DB_POSTGRES_SCHEMA, REDIS_HOST.
// Prints one line `SMM-DEVNET-READY {json}` once every service answers; exits on SIGTERM/SIGINT.
'use strict';
require('@atproto/dev-env/dist/env');
const { TestNetwork } = require('@atproto/dev-env');

const port = (name) => {
  const v = parseInt(process.env[name] || '', 10);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a port number`);
  return v;
};

(async () => {
  const started = Date.now();
  const plcPort = port('SMM_PLC_PORT');
  const pdsPort = port('SMM_PDS_PORT');
  const appviewPort = port('SMM_APPVIEW_PORT');
  const ozonePort = port('SMM_OZONE_PORT');
  const network = await TestNetwork.create({
    plc: { port: plcPort },
    // hostname "localhost": public URL http://localhost:PORT and account handles ending in ".test".
    // dev-env's PDS has invites off, dev mode on, admin password "admin-pass".
    pds: { port: pdsPort, hostname: 'localhost' },
    bsky: { port: appviewPort, publicUrl: `http://localhost:${appviewPort}` },
    ozone: {
      port: ozonePort,
      chatUrl: 'http://localhost:1', // no chat service runs; Ozone only needs a URL
      chatDid: 'did:example:chat',
      dbMaterializedViewRefreshIntervalMs: 60000,
    },
  });
  const info = {
    seconds: (Date.now() - started) / 1000,
    plc: network.plc.url,
    pds: network.pds.url,
    appview: network.bsky.url,
    appviewDid: network.bsky.ctx.cfg.serverDid,
    ozone: network.ozone.url,
    pid: process.pid,
  };
  console.log(`SMM-DEVNET-READY ${JSON.stringify(info)}`);

  let closing = false;
  const stop = async (signal) => {
    if (closing) return;
    closing = true;
    console.log(`devnet: ${signal}, closing`);
    setTimeout(() => process.exit(0), 10000).unref(); // never hang on close
    try { await network.close(); } catch (e) { console.error(e); }
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
})().catch((e) => {
  console.error('devnet: failed to start:', e);
  process.exit(1);
});
