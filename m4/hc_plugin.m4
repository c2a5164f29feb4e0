dnl healthcheckd: configure switches for plugins.

dnl HC_PLUGIN(NAME)
dnl A plugin that needs no library: always built.
AC_DEFUN([HC_PLUGIN], [HC_PLUGINS="$HC_PLUGINS $1"])

dnl HC_PLUGIN_WITH_LIB(NAME, PKG-CONFIG-MODULES)
dnl --enable-plugin-NAME=auto|yes|no (default auto): build the plugin when
dnl its library is found; yes makes a missing library an error. Sets
dnl NAME_CFLAGS/NAME_LIBS (upper case) and the conditional PLUGIN_NAME.
AC_DEFUN([HC_PLUGIN_WITH_LIB], [
AC_ARG_ENABLE([plugin-$1],
  [AS_HELP_STRING([--enable-plugin-$1=@<:@auto|yes|no@:>@],
                  [build the $1 plugin (needs $2; default: auto)])],
  [], [enable_plugin_$1=auto])
hc_plugin_$1=no
AS_CASE([$enable_plugin_$1],
  [yes|auto], [PKG_CHECK_MODULES(m4_toupper([$1]), [$2], [hc_plugin_$1=yes],
                 [AS_IF([test "x$enable_plugin_$1" = xyes],
                        [AC_MSG_ERROR([--enable-plugin-$1=yes but $2 was not found: $m4_toupper([$1])_PKG_ERRORS])])])],
  [no], [],
  [AC_MSG_ERROR([--enable-plugin-$1 takes auto, yes or no, not '$enable_plugin_$1'])])
AM_CONDITIONAL(m4_toupper([PLUGIN_$1]), [test "x$hc_plugin_$1" = xyes])
AS_IF([test "x$hc_plugin_$1" = xyes],
  [HC_PLUGINS="$HC_PLUGINS $1"],
  [HC_PLUGINS_SKIPPED="$HC_PLUGINS_SKIPPED $1"])
])
