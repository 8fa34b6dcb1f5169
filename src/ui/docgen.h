/* docs/commands.md and docs/themes.md are generated from the command table, the default key
 * tables and the role list, so they cannot drift: a unit test compares them with the files and
 * rewrites them when FLUXSCOPE_WRITE_DOCS=1. */
#ifndef FLUXSCOPE_UI_DOCGEN_H
#define FLUXSCOPE_UI_DOCGEN_H

/* Markdown text; caller frees with free(). */
char *docgen_commands(void);
char *docgen_themes(void);

#endif
