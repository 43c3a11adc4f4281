import { html, type SafeHtml } from './html.ts';

/** The look all our pages share, the web app's included (theme.css), and these pages' layout. */
export const THEME_PATH = '/oauth/assets/theme.css';
export const STYLESHEET_PATH = '/oauth/assets/pages.css';

/** The shell of every page: language, viewport for phones, our stylesheet, one main landmark. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · todos</title>
<link rel="stylesheet" href="${THEME_PATH}">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}
