// A node that is stopping (CircuitHandoff) asks each open page to move: pausing the circuit makes the node send the
// circuit's state to this page (protected with the data-protection keys every node shares); resuming opens a new
// connection through the load balancer, to whichever node it sends us now, which rebuilds the page from that state.
// Loaded after blazor.web.js (autostart="false"): this script starts Blazor.
(() => {
  const attempts = 5;
  const delay = ms => new Promise(resolve => setTimeout(resolve, ms));
  const modal = () => document.getElementById('components-reconnect-modal');

  // .NET 10.0's client disconnects as soon as the node acknowledges PauseCircuit, while the node sends the state a
  // moment later; when the disconnect wins, the state stays on the stopping node and is lost with it. The node's
  // protocol has the client wait for the state before it disconnects: this wrapper waits, as long as the node drains (10 s).
  function waitForPausedState(connection) {
    let arrived = () => { };
    const on = connection.on.bind(connection);
    connection.on = (name, handler) => on(name, name !== 'JS.SavePersistedState' ? handler : (...args) => {
      const result = handler(...args);
      // After this handler's answer has gone back to the node, so that the node sees its state delivered.
      setTimeout(arrived, 0);
      return result;
    });
    const invoke = connection.invoke.bind(connection);
    connection.invoke = async (name, ...args) => {
      if (name !== 'PauseCircuit') return invoke(name, ...args);
      const state = new Promise(resolve => { arrived = resolve; });
      const paused = await invoke(name, ...args);
      if (paused) await Promise.race([state, delay(10000)]);
      return paused;
    };
    return connection;
  }

  // The resumed page renders anew; until its layout is interactive, clicks would reach the old page's elements.
  function interactiveAgain() {
    return new Promise(resolve => {
      const done = () => document.querySelector('[data-interactive="true"]');
      if (done()) return resolve();
      const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(); } });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-interactive'] });
    });
  }

  async function moveToAnotherNode() {
    document.body.classList.add('portal-moving');
    const markers = [...document.querySelectorAll('[data-interactive="true"]')];
    markers.forEach(e => e.setAttribute('data-interactive', 'false'));
    try {
      if (!await Blazor.pauseCircuit()) {
        markers.forEach(e => e.setAttribute('data-interactive', 'true'));
        return;
      }
      for (let i = 0; i < attempts; i++) {
        try {
          if (await Blazor.resumeCircuit()) {
            await interactiveAgain();
            return;
          }
        } catch (e) {
          // No node answered (the balancer may still send us to the node that just stopped): try again shortly.
          console.warn('Resuming the page on another node failed', e);
        }
        await delay(1000);
      }
      // Nothing took the page: say so, as when a node dies (App.razor's reconnect dialog).
      modal()?.classList.remove('components-reconnect-paused', 'components-reconnect-show');
      modal()?.classList.add('components-reconnect-resume-failed');
    } finally {
      document.body.classList.remove('portal-moving');
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

  Blazor.start({
    circuit: {
      configureSignalR: builder => {
        const build = builder.build.bind(builder);
        builder.build = () => waitForPausedState(build());
      },
    },
  });
})();
