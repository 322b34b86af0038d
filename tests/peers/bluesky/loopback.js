// Preloaded with `node -r ./loopback.js`: every TCP listener of this process binds 127.0.0.1.
// @atproto/pds, @did-plc/server, the AppView and Ozone call listen(port) with no host, which
// Node binds to all interfaces; the tests must never expose a server beyond loopback.
'use strict';
const net = require('net');

const LOOPBACK = '127.0.0.1';
const WIDE = new Set([undefined, null, '', '0.0.0.0', '::', 'localhost']);
const isPort = (v) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v));
const original = net.Server.prototype.listen;

net.Server.prototype.listen = function listen(...args) {
  const first = args[0];
  if (isPort(first)) {
    // listen(port[, host][, backlog][, cb])
    if (args.length === 1) args.push(LOOPBACK);
    else if (typeof args[1] === 'string' || args[1] == null) {
      if (WIDE.has(args[1])) args[1] = LOOPBACK;
    } else args.splice(1, 0, LOOPBACK); // args[1] is a backlog or a callback
  } else if (first && typeof first === 'object' && !first.path && !first.fd && !first._handle && !first.handle) {
    // listen(options[, cb])
    if (WIDE.has(first.host)) args[0] = { ...first, host: LOOPBACK };
  } else if (args.length === 0 || typeof first === 'function') {
    // listen([cb]): a random port
    args.unshift(0, LOOPBACK);
  }
  return original.apply(this, args);
};
