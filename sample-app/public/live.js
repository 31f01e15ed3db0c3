/* global document, WebSocket, location -- a browser script */
// The account page's live updates: when another tab changes this account's DB, reload.
(() => {
  const status = document.getElementById('live-status');
  // This tab's own change (a form it submits) is not another tab's: it is navigating already.
  let submitting = false;
  document.addEventListener('submit', () => {
    submitting = true;
  });
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`);
  socket.addEventListener('open', () => {
    if (status) status.textContent = 'Live: this page updates when another tab changes your DB.';
  });
  socket.addEventListener('message', (message) => {
    const { event } = JSON.parse(message.data);
    if (event === 'db-changed' && !submitting) location.replace('/me');
  });
  socket.addEventListener('close', () => {
    if (status) status.textContent = 'Live updates stopped (logged out, or the server went away).';
  });
})();
