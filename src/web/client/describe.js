// The words the page uses for changes, people, agents and dates.
import { listOf } from './dom.js';

/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */
/** @typedef {import('./api.js').TodoField} TodoField */

const INTERFACE = { web: 'on the web', api: 'through the API', mcp: 'through MCP' };

/** @type {Record<TodoField, string>} */
const FIELD = {
  title: 'title',
  description: 'description',
  priority: 'priority',
  dueDate: 'due date',
  completed: 'done state',
};

/** @param {TodoField} field */
export const fieldName = (field) => FIELD[field];

/**
 * Who made a change: "you, on the web", "you, through the API", or the agent (by its token's
 * name) or app (by its OAuth client name) and the interface it used.
 * @param {ActivityEntry} entry
 */
export function who(entry) {
  const how = INTERFACE[entry.via];
  const { client } = entry;
  if (!client) return `you, ${how}`;
  if (client.kind === 'agent_token') return `the agent “${client.name ?? 'unnamed'}”, ${how}`;
  return `the app “${client.name ?? 'unnamed'}”, ${how}`;
}

/**
 * What a change did, as a verb phrase that takes the todo after it: "created", "changed the
 * title and priority of".
 * @param {ActivityEntry} entry
 */
export function what(entry) {
  if (entry.action !== 'updated') return entry.action;
  const fields = entry.fields.map(fieldName);
  return fields.length === 0 ? 'changed' : `changed the ${listOf(fields)} of`;
}

/** For a completed or reopened todo whose other fields changed too. @param {ActivityEntry} entry */
export function alsoChanged(entry) {
  if (entry.action !== 'completed' && entry.action !== 'reopened') return '';
  const others = entry.fields.filter((field) => field !== 'completed').map(fieldName);
  return others.length === 0 ? '' : ` (and changed its ${listOf(others)})`;
}

const PAST = {
  created: 'Created',
  updated: 'Changed',
  completed: 'Completed',
  reopened: 'Reopened',
  deleted: 'Deleted',
};

/** The label of a todo's last change: "Completed by the agent “X”, through MCP". @param {ActivityEntry} entry */
export const changedBy = (entry) => `${PAST[entry.action]} by ${who(entry)}`;

/** @param {string} text */
export const capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1);

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const calendarDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** "just now", "3 minutes ago", "yesterday". @param {string} iso */
export function ago(iso) {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  /** @type {[Intl.RelativeTimeFormatUnit, number][]} */
  const units = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86_400],
  ];
  let chosen = units[0] ?? ['minute', 60];
  for (const unit of units) if (Math.abs(seconds) >= unit[1]) chosen = unit;
  return relative.format(Math.round(seconds / chosen[1]), chosen[0]);
}

/** @param {string} iso */
export const fullTime = (iso) => absolute.format(new Date(iso));

/** A due date (YYYY-MM-DD, a calendar day with no time zone) as people read it. @param {string} day */
export const dayName = (day) => calendarDay.format(new Date(`${day}T00:00:00Z`));

/** Today in the person's own time zone, as YYYY-MM-DD. */
export function today() {
  const now = new Date();
  const pad = (/** @type {number} */ value) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Whether an open todo is late: past its due date, or due today.
 * @param {{ dueDate: string | null, completed: boolean }} todo
 * @returns {'overdue' | 'today' | undefined}
 */
export function urgency(todo) {
  if (todo.completed || todo.dueDate === null) return undefined;
  const day = today();
  if (todo.dueDate < day) return 'overdue';
  return todo.dueDate === day ? 'today' : undefined;
}
