# themes/: colour themes, installed to $(pkgdatadir)/themes.
# default and mono are also compiled in (tui/theme.c); tests/unit/test_theme
# holds the files to the built-ins and parses every shipped theme.
themedir = $(pkgdatadir)/themes
dist_theme_DATA = themes/default.theme themes/light.theme themes/solarized-dark.theme \
	themes/high-contrast.theme themes/mono.theme
