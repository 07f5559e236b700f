// Mounted once per page run by ui.document_language: the page's language for assistive technology,
// and Streamlit's own texts in that language. Streamlit's frontend writes its texts (the
// uploader, the "Page not found" dialog, the table toolbar, help icons' labels) in English only:
// the pairs in component.data.texts (content/i18n/streamlit/, by part of the page) put the
// page's language in their place. An observer keeps them so as Streamlit redraws; a text is
// replaced only where it is the whole text of its node or attribute, in its part of the page.

// the parts of the page, as in content/i18n/streamlit/*.toml; "label": attributes anywhere
const PARTS = {
  uploader: '[data-testid="stFileUploader"]',
  dialog: '[role="dialog"]',
  tooltip: '[data-testid="stTooltipContent"]',
  menu: '[data-testid="stMainMenuPopover"]',
  skip: '[data-testid="stSkipToContent"]',
  table: '[data-testid="stDataFrame"], [data-testid="stDataFrameColumnMenu"], [data-baseweb="popover"]',
};
const ATTRIBUTES = ["aria-label", "title", "data-title", "placeholder"];

// "Help for {label}" -> a test of a whole text, and the template it becomes
function rule([from, to]) {
  const names = [];
  const source = from.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name) => {
    names.push(name);
    return "(.+?)";
  });
  if (!names.length) return { exact: from, to };
  return { pattern: new RegExp(`^${source}$`, "s"), names, to };
}

function compile(texts) {
  const parts = {};
  for (const [part, pairs] of Object.entries(texts || {})) {
    const rules = pairs.map(rule);
    parts[part] = {
      exact: new Map(rules.filter((r) => r.exact !== undefined).map((r) => [r.exact, r.to])),
      patterns: rules.filter((r) => r.pattern),
    };
  }
  return parts;
}

function translated(text, rules) {
  if (!rules || !text) return null;
  const trimmed = text.trim();
  let out = rules.exact.get(trimmed);
  if (out === undefined) {
    for (const r of rules.patterns) {
      const found = r.pattern.exec(trimmed);
      if (found) {
        out = r.to.replace(/\{(\w+)\}/g, (_, name) => found[1 + r.names.indexOf(name)]);
        break;
      }
    }
  }
  if (out === undefined || out === trimmed) return null;
  return text.replace(trimmed, () => out); // keeps the spaces around it
}

function translateAttributes(element, state) {
  for (const name of ATTRIBUTES) {
    const value = element.getAttribute(name);
    const out = translated(value, state.parts.label);
    if (out !== null) element.setAttribute(name, out);
  }
}

function translateText(node, state) {
  const parent = node.parentElement;
  if (!parent || !node.data.trim()) return;
  for (const [part, selector] of Object.entries(PARTS)) {
    const rules = state.parts[part];
    if (!rules || !parent.closest(selector)) continue;
    const out = translated(node.data, rules);
    if (out !== null) {
      node.data = out;
      return;
    }
  }
}

function translateTree(root, state) {
  if (root.nodeType === Node.TEXT_NODE) return translateText(root, state);
  if (root.nodeType !== Node.ELEMENT_NODE) return;
  translateAttributes(root, state);
  for (const element of root.querySelectorAll(ATTRIBUTES.map((a) => `[${a}]`).join(","))) {
    translateAttributes(element, state);
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) translateText(node, state);
}

function observe(state) {
  state.observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") translateAttributes(r.target, state);
      else if (r.type === "characterData") translateText(r.target, state);
      else r.addedNodes.forEach((node) => translateTree(node, state));
    }
  });
  state.observer.observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });
}

export default function (component) {
  const data = component.data || {};
  if (data.lang) document.documentElement.setAttribute("lang", data.lang);
  // one observer per page, kept across runs; each run gives the texts of its language
  const state = (window.careStreamlitTexts ||= {});
  if (state.lang === data.lang) return;
  state.lang = data.lang;
  state.parts = compile(data.texts);
  translateTree(document.body, state);
  if (!state.observer) observe(state);
}
