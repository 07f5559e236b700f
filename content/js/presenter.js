// The presentation's keys and screen (ui.presenter_controls). What presentation clickers send
// (PageDown / PageUp, sometimes the arrow keys) and the keyboard move between slides; F or the
// button toggles full screen. The size of the window is reported so every slide is laid out to
// fit it without scrolling.
export default function (component) {
  const { setTriggerValue, setStateValue, parentElement, data } = component;
  const NEXT = new Set(["ArrowRight", "ArrowDown", "PageDown", " ", "Spacebar", "Enter"]);
  const PREVIOUS = new Set(["ArrowLeft", "ArrowUp", "PageUp", "Backspace"]);

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
      setTriggerValue("move", move);
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
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", onResize);
  report();
  return () => {
    document.removeEventListener("keydown", onKey);
    window.removeEventListener("resize", onResize);
    clearTimeout(timer);
  };
}
