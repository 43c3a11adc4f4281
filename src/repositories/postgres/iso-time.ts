// Times are timestamptz in PostgreSQL and ISO-8601 strings in the domain (as SQLite stores
// them). Reading one back through this expression gives exactly the string that was written
// (millisecond precision, UTC, "Z"), whatever the server's DateStyle or TimeZone.
export const isoTime = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const isoDate = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/**
 * PostgreSQL text cannot hold U+0000, and a parameter containing it is refused with an error.
 * No stored value contains one, so a lookup by such a value is a miss, answered without asking.
 */
export const holdsNul = (value: string) => value.includes('\0');
