// The presentation's keys and screen (ui_slides.presenter_controls). What presentation clickers send
// (PageDown / PageUp, sometimes the arrow keys) and the keyboard move between slides; F or the
// button toggles full screen. The size of the window is reported so every slide is laid out to
// fit it without scrolling.
//
// The presenter view is a second window of the same link (?presenter=1), in the same browser. The
// two talk over a BroadcastChannel: the room's window says which slide it shows, every time it
// shows one and whenever a presenter view opens and asks; the presenter view follows it, and sends
// the moves made in it (its keys, a clicker pointed at it) to the room's window, which stays the
// one that decides. Each message names its deck (data.deck), so two decks open at once stay apart.
// A move made in the presenter view names the slide it goes to (data.count bounds it), and the
// presenter view goes there too: it does not wait for the room's window, which a browser may not
// redraw while another window has the focus.
//
// Streamlit calls this again with each run's data, and a window keeps one set of listeners: the
// last call's (window.__carePresenter stops the one before), or every key would move once per run.
const CHANNEL = "care-presenter";

export default function (component) {
  if (window.__carePresenter) window.__carePresenter();
  const { setTriggerValue, setStateValue, parentElement, data } = component;
  const NEXT = new Set(["ArrowRight", "ArrowDown", "PageDown", " ", "Spacebar", "Enter"]);
  const PREVIOUS = new Set(["ArrowLeft", "ArrowUp", "PageUp", "Backspace"]);
  const presenter = data && data.mode === "presenter";
  const deck = data && data.deck;
  const index = data && Number.isInteger(data.index) ? data.index : 0;
  const count = data && Number.isInteger(data.count) ? data.count : 1;
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;

  const send = (message) => { if (channel) channel.postMessage({ deck, ...message }); };

  const target = (move) => ({ next: index + 1, previous: index - 1, first: 0, last: count - 1 })[move];

  const moveTo = (move) => {
    if (!presenter) {
      setTriggerValue("move", move);
      return;
    }
    const to = Math.min(Math.max(target(move), 0), count - 1);
    if (to === index) return;
    send({ type: "goto", index: to }); // the room's window shows it, and this one its notes
    setTriggerValue("follow", to);
  };

  const onKey = (event) => {
    const target = event.target;
    const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    let move = null;
    if (NEXT.has(event.key)) move = "next";
    else if (PREVIOUS.has(event.key)) move = "previous";
    else if (event.key === "Home") move = "first";
    else if (event.key === "End") move = "last";
    else if (event.key === "f" || event.key === "F") {
      event.preventDefault();
      toggleFullScreen();
      return;
    }
    if (move) {
      event.preventDefault(); // no page scroll, and Space does not also press a focused button
      moveTo(move);
    }
  };

  const onMessage = (event) => {
    const message = event.data || {};
    if (message.deck !== deck) return;
    if (presenter && message.type === "at" && Number.isInteger(message.index) && message.index !== index) {
      setTriggerValue("follow", message.index);
    } else if (!presenter && message.type === "hello") {
      send({ type: "at", index });
    } else if (!presenter && message.type === "goto" && Number.isInteger(message.index) && message.index !== index) {
      setTriggerValue("follow", message.index);
    }
  };

  const toggleFullScreen = () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  };

  let lastSize = "";
  let timer = null;
  const report = () => {
    const size = { width: window.innerWidth, height: window.innerHeight };
    const text = `${size.width}x${size.height}`;
    if (text !== lastSize) {
      lastSize = text;
      setStateValue("viewport", size);
    }
  };
  const onResize = () => {
    clearTimeout(timer);
    timer = setTimeout(report, 250);
  };

  const button = parentElement.querySelector("button.care-fullscreen");
  if (button) {
    button.textContent = (data && data.label) || "Full screen";
    button.setAttribute("aria-keyshortcuts", "F");
    button.onclick = toggleFullScreen;
  }
  const opener = parentElement.querySelector("button.care-presenter-view");
  if (opener) {
    opener.hidden = presenter || !channel;
    opener.textContent = (data && data.presenter_label) || "Presenter view";
    opener.onclick = () => {
      const url = new URL(window.location.href);
      url.searchParams.set("presenter", "1");
      window.open(url.toString(), "care-presenter-view", "popup,width=960,height=720");
    };
  }
  // the presenter view's clock: the time of day, as a presenter glances at a watch
  const clock = parentElement.querySelector(".care-clock");
  let ticking = null;
  if (clock && presenter) {
    clock.hidden = false;
    const tick = () => {
      clock.textContent = new Date().toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
    };
    tick();
    ticking = setInterval(tick, 5000);
  }

  if (channel) {
    channel.onmessage = onMessage;
    if (presenter) send({ type: "hello" });
    else send({ type: "at", index });
  }
  // a swipe across the slide (on a phone): to the left the next slide, to the right the one before;
  // a mostly vertical one scrolls as usual
  let touch = null;
  const onTouchStart = (event) => {
    touch = event.touches.length === 1 ? { x: event.touches[0].clientX, y: event.touches[0].clientY } : null;
  };
  const onTouchEnd = (event) => {
    if (!touch || event.changedTouches.length !== 1) return;
    const dx = event.changedTouches[0].clientX - touch.x, dy = event.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) >= 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) moveTo(dx < 0 ? "next" : "previous");
  };
  document.addEventListener("keydown", onKey);
  document.addEventListener("touchstart", onTouchStart, { passive: true });
  document.addEventListener("touchend", onTouchEnd, { passive: true });
  window.addEventListener("resize", onResize);
  report();
  const stop = () => {
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("touchstart", onTouchStart);
    document.removeEventListener("touchend", onTouchEnd);
    window.removeEventListener("resize", onResize);
    clearTimeout(timer);
    clearInterval(ticking);
    if (channel) channel.close();
    if (window.__carePresenter === stop) window.__carePresenter = null;
  };
  window.__carePresenter = stop;
  return stop;
}
