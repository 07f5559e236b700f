// Mounted once per page run by ui.document_language: the page's language for assistive technology.
export default function (component) {
  const lang = component.data && component.data.lang;
  if (lang) document.documentElement.setAttribute("lang", lang);
}
