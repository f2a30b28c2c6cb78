// Small DOM and network helpers every figure uses (re-exported by figure.js).

/**
 * An element: `h("button", { class: "x", type: "button", text: "Go", dataset: { k: "v" } }, child, "text")`.
 * Attributes named `class`, `text`, `html` (trusted strings only), `style` (an object) and `dataset`
 * are set as properties; `false`, `null` and `undefined` values are left out; every other key is an attribute.
 * @param {string} tag a tag name; "svg:circle" makes an SVG element
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement & SVGElement}
 */
export function h(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:")
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.setAttribute("class", value);
    else if (name === "text") node.textContent = value;
    else if (name === "html") node.innerHTML = value;
    else if (name === "style") Object.assign(node.style, value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function fileName(url) {
  return String(url).split("?")[0].split("/").pop() || String(url);
}

/**
 * Fetch a file of the figure's payload as bytes. Errors name the file and say
 * what went wrong (offline, or the HTTP status), short enough for the figure's status line.
 * @param {string|URL} url absolute, or relative to `base`
 * @param {{base?: string, signal?: AbortSignal}} [options]
 * @returns {Promise<ArrayBuffer>}
 */
export async function fetchBytes(url, { base, signal } = {}) {
  const response = await fetchFile(url, { base, signal });
  return response.arrayBuffer();
}

/**
 * Fetch and decode an image of the payload (PNG, WebP…) as an ImageBitmap, for canvas or WebGL.
 * @param {string|URL} url @param {{base?: string, signal?: AbortSignal, decode?: ImageBitmapOptions}} [options]
 *   decode: createImageBitmap options (e.g. `{colorSpaceConversion: "none", premultiplyAlpha: "none"}` for textures)
 * @returns {Promise<ImageBitmap>}
 */
export async function fetchImage(url, { base, signal, decode } = {}) {
  const bytes = await fetchBytes(url, { base, signal });
  try {
    return await createImageBitmap(new Blob([bytes]), decode);
  } catch (error) {
    throw new Error(`the image ${fileName(url)} could not be decoded`, { cause: error });
  }
}

/** Like fetchBytes, for a JSON file. @returns {Promise<any>} */
export async function fetchJSON(url, { base, signal } = {}) {
  const response = await fetchFile(url, { base, signal });
  try {
    return await response.json();
  } catch (error) {
    throw new Error(`${fileName(url)} is not valid JSON`, { cause: error });
  }
}

async function fetchFile(url, { base, signal }) {
  const href = base ? new URL(url, base).href : String(url);
  let response;
  try {
    response = await fetch(href, { credentials: "same-origin", signal });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new Error(`${fileName(url)} could not be fetched`, { cause: error });
  }
  if (!response.ok) throw new Error(`${fileName(url)}: HTTP ${response.status}`);
  return response;
}
