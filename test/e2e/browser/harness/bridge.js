// The browser harness's stand-in for the Electron preload: builds `window.netcase` from the
// contract's channel names. Each method posts its input to the harness, which runs the real IPC
// handler, and resolves with the value or rejects with the `{ code, message, details }` error,
// as the preload does. Job events and app commands arrive as server-sent events. The harness
// writes HARNESS_CONFIG ({ token, channels, tokenHeader }) above this text when serving it.
/* global HARNESS_CONFIG */
(() => {
  const { token, channels, tokenHeader } = HARNESS_CONFIG;
  const listeners = { job: new Set(), command: new Set() };

  // Relative URLs keep the token that starts the page's path (/<token>/index.html).
  const source = new EventSource('__harness/events');
  // Calls wait until the event stream is open, so no job event sent after jobs.start is missed.
  const streamOpen = new Promise((resolve) => source.addEventListener('open', resolve, { once: true }));
  for (const type of ['job', 'command']) {
    source.addEventListener(type, (message) => {
      const payload = JSON.parse(message.data);
      for (const listener of listeners[type]) listener(payload);
    });
  }

  async function post(route, input) {
    await streamOpen;
    const response = await fetch(`__harness/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [tokenHeader]: token },
      body: JSON.stringify(input === undefined ? null : input),
    });
    if (!response.ok) throw { code: 'INTERNAL', message: `Harness route ${route} failed with HTTP ${response.status}: ${await response.text()}` };
    const reply = await response.json();
    if (reply.ok) return reply.value;
    throw reply.error;
  }

  function subscribe(type, listener) {
    listeners[type].add(listener);
    return () => listeners[type].delete(listener);
  }

  const api = {};
  for (const channel of channels) {
    const [domain, verb] = channel.split('.');
    (api[domain] ??= {})[verb] = (input) => post(`call/${channel}`, input);
  }
  // Browser File objects carry no path: the harness maps each name to the path the spec registered.
  api.evidence.addDropped = (input) => post('drop', { names: Array.from(input.files, (file) => file.name) });
  api.jobs.onEvent = (listener) => subscribe('job', listener);
  api.app.onCommand = (listener) => subscribe('command', listener);

  window.netcase = Object.freeze(api);
})();
