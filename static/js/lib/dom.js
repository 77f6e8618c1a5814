// A small element builder: pages build their DOM with it (createElement and text nodes),
// never with innerHTML, so no server or user text is ever parsed as HTML.

/**
 * el("button", {class: "x", dataset: {a: 1}, onclick: f, text: "t"}, child, "text", [more]).
 * null, undefined and false props and children are left out; `true` sets an empty attribute.
 */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  setProps(node, props);
  children.forEach((child) => append(node, child));
  return node;
}

/** An SVG element (icons): attributes only, children appended as with el(). */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  Object.keys(attrs || {}).forEach((key) => node.setAttribute(key, attrs[key]));
  children.forEach((child) => append(node, child));
  return node;
}

function setProps(node, props) {
  Object.keys(props || {}).forEach((key) => {
    const value = props[key];
    if (value === null || value === undefined || value === false) return;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key === "value") node.value = value;
    else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  });
}

/** Append a node, a string or number (as text), or an array of them; skip empty ones. */
export function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(node, c));
  else {
    node.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }
}

/** Remove every child of `node`; returns it. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** The element with this id. */
export function byId(id) {
  return document.getElementById(id);
}

/** The JSON a template put in <script type="application/json" id="..."> (CSP-safe). */
export function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}
