// Small helpers to build the pages: elements, labels and times. No rule of the product lives
// here: labels only name the values the database holds.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function replace(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter((child) => child));
}

export function label(labels, value) {
  return labels[value] ?? value ?? '—';
}

export function badge(kind, value, labels) {
  return h('span', { class: `badge ${kind}-${value}` }, label(labels, value));
}

export function age(iso, now = Date.now()) {
  if (!iso) return '—';
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function when(iso) {
  return iso ? h('time', { datetime: iso }, timeFormat.format(new Date(iso))) : '—';
}

export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A new text node in a cleared live region is read even when the text repeats.
  requestAnimationFrame(() => { region.textContent = text; });
}

// An error as the database worded it, with its hint when it gave one.
export function errorBox(error, extra = null) {
  return h('div', { class: 'error', role: 'alert' },
    h('p', { class: 'error-message' }, error.message),
    error.hint ? h('p', { class: 'error-hint' }, error.hint) : null,
    extra);
}
