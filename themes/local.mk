# themes/: colour themes, installed to $(pkgdatadir)/themes.
themedir = $(pkgdatadir)/themes
dist_theme_DATA =
