// Where the focus was when the last in-page navigation started. Blazor pushes the history entry inside the click or
// key handler that starts a navigation, so this is the element the user acted on (e.g. a menu link).
(() => {
  let focusAtNavigation = document.activeElement;
  const pushState = history.pushState;
  history.pushState = function (...args) {
    focusAtNavigation = document.activeElement;
    return pushState.apply(this, args);
  };

  window.auditPortal = Object.assign(window.auditPortal || {}, {
    // Moves the focus to the new page's heading (so a screen reader announces the page), unless the user has moved
    // it since the navigation started: a keyboard user who already tabbed on keeps their place.
    focusIfUnmoved(selector) {
      const active = document.activeElement;
      if (active && active !== document.body && active !== focusAtNavigation) return false;
      const target = document.querySelector(selector);
      if (!target) return false;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
      return true;
    },
  });
})();
