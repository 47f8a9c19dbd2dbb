// A node that is stopping (CircuitHandoff) asks each open page to move: pausing the circuit makes the node send the
// circuit's state to this page (protected with the data-protection keys every node shares); resuming opens a new
// connection through the load balancer, to whichever node it sends us now, which rebuilds the page from that state.
(() => {
  const attempts = 5;
  const delay = ms => new Promise(resolve => setTimeout(resolve, ms));

  async function moveToAnotherNode() {
    if (!await Blazor.pauseCircuit()) return;
    for (let i = 0; i < attempts; i++) {
      try {
        if (await Blazor.resumeCircuit()) return;
      } catch (e) {
        // No node answered (the balancer may still send us to the node that just stopped): try again shortly.
        console.warn('Resuming the page on another node failed', e);
      }
      await delay(1000);
    }
    // Nothing took the page: say so, as when a node dies (App.razor's reconnect dialog).
    const modal = document.getElementById('components-reconnect-modal');
    if (modal) {
      modal.classList.remove('components-reconnect-paused', 'components-reconnect-show');
      modal.classList.add('components-reconnect-resume-failed');
    }
  }

  // The reconnect dialog's reload buttons (the security policy allows no inline handlers).
  document.addEventListener('click', e => {
    if (e.target instanceof Element && e.target.closest('#components-reconnect-modal .reconnect-reload')) location.reload();
  });

  window.auditPortal = Object.assign(window.auditPortal || {}, {
    // Returns at once: the node's call must not wait for the pause it causes.
    handOff() {
      setTimeout(moveToAnotherNode, 0);
    },
  });
})();
