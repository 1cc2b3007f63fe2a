/* libfdt, Debian's libfdt-dev: the reference device-tree implementation the tests compare against. */
#include <libfdt.h>
