// The web app's entry: three views (todos, activity, agents) switched by the address's
// fragment, one live connection feeding them all, and relative times kept current.
import { ActivityView } from './activity-view.js';
import { AgentsView } from './agents-view.js';
import { Changes } from './changes.js';
import { ago } from './describe.js';
import { byId } from './dom.js';
import { LiveFeed } from './live.js';
import { TodoEditor, wireNewTodo } from './todo-editor.js';
import { TodosView } from './todos-view.js';

/** @typedef {'todos' | 'activity' | 'agents'} ViewName */

const TITLES = { todos: 'Todos', activity: 'Activity', agents: 'Agents' };
const LIVE_WORDS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

const changes = new Changes();
const todos = new TodosView({
  changes,
  editor: new TodoEditor({ changes, onSaved: (todo) => todos.saved(todo) }),
});
wireNewTodo(changes, () => todos.refresh());
const activity = new ActivityView(changes);
const agents = new AgentsView();

/** @returns {ViewName} */
function viewInAddress() {
  const name = location.hash.slice(1);
  return name === 'activity' || name === 'agents' ? name : 'todos';
}

/** Shows one view; moves the focus to its heading when the person navigated there. @param {boolean} navigated */
function show(navigated) {
  const name = viewInAddress();
  for (const section of document.querySelectorAll('[data-view]')) {
    if (section instanceof HTMLElement) section.hidden = section.dataset.view !== name;
  }
  for (const link of document.querySelectorAll('[data-view-link]')) {
    if (link.getAttribute('data-view-link') === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${TITLES[name]} · todos`;
  if (name === 'activity' && !activity.loaded) activity.refresh();
  // Tokens and apps have no live feed: the view is current whenever it is opened.
  if (name === 'agents') void agents.refresh();
  if (navigated) byId(`${name}-heading`, HTMLElement).focus();
}

window.addEventListener('hashchange', () => show(true));
show(false);
todos.refresh();

const status = byId('live-status', HTMLElement);
new LiveFeed({
  onChange: (entry) => {
    todos.changed(entry);
    activity.changed(entry);
  },
  onSync: () => {
    todos.refresh();
    if (activity.loaded) activity.refresh();
  },
  onState: (state) => {
    status.dataset.state = state;
    status.textContent = LIVE_WORDS[state];
  },
}).start();

// "just now" becomes "2 minutes ago" without a reload.
setInterval(() => {
  for (const time of document.querySelectorAll('time[data-relative]')) {
    const at = time.getAttribute('data-relative');
    if (at) time.textContent = ago(at);
  }
}, 30_000);
