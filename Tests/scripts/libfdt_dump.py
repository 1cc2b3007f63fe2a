#!/usr/bin/python3
# libfdt_dump.py: prints a device tree blob with libfdt (python3-libfdt) in dtdump's format,
# the reference Tests/scripts/dtdump-vs-libfdt.sh diffs dtdump against.
#
# Usage: /usr/bin/python3 Tests/scripts/libfdt_dump.py FILE.dtb  (Debian's python3 has libfdt)
# Format: see Sources/dtdump/main.swift. A blob fdt_check_full rejects: exit 1 and
# `error: <libfdt reason>` on stderr.
import struct
import sys

import libfdt


def number(raw):
    """The big-endian number in raw, as 0x<hex> without leading zeros."""
    return "0x%x" % int.from_bytes(raw, "big")


def cell_count(properties, name, default):
    """A cell-count property's value when it is one cell, else the default. (Not
    fdt.getprop: its not-found path drops a reference to None in Debian's binding.)"""
    for prop in properties:
        if prop.name == name:
            return int.from_bytes(prop, "big") if len(prop) == 4 else default
    return default


def properties_of(fdt, node):
    properties = []
    prop = fdt.first_property_offset(node, (libfdt.NOTFOUND,))
    while prop >= 0:
        properties.append(fdt.get_property_by_offset(prop))
        prop = fdt.next_property_offset(prop, (libfdt.NOTFOUND,))
    return properties


def dump(data):
    fdt = libfdt.Fdt(data)  # fdt_check_header
    libfdt.check_err(libfdt.fdt_check_full(fdt._fdt, len(data)))
    lines = []
    # Count and offset from libfdt; the entries read here, because Debian's binding of
    # fdt_get_mem_rsv returns only the size when the address is 0.
    base = libfdt.fdt_off_mem_rsvmap(fdt._fdt)
    for index in range(fdt.num_mem_rsv()):
        address, size = struct.unpack_from(">QQ", data, base + 16 * index)
        lines.append("memreserve 0x%x 0x%x" % (address, size))
    offset, depth = 0, 0
    paths, child_cells = [], []
    while True:
        del paths[depth:], child_cells[depth:]
        name = fdt.get_name(offset)
        if depth == 0:
            path = "/"
        else:
            path = ("" if depth == 1 else paths[depth - 1]) + "/" + name
        paths.append(path)
        properties = properties_of(fdt, offset)
        child_cells.append((cell_count(properties, "#address-cells", 2),
                            cell_count(properties, "#size-cells", 1)))
        address_cells, size_cells = (2, 1) if depth == 0 else child_cells[depth - 1]
        lines.append("node " + path)
        for value in properties:
            lines.append("prop %s %s %s" % (path, value.name, bytes(value).hex() or "-"))
            entry = (address_cells + size_cells) * 4
            if value.name == "reg" and entry > 0 and len(value) % entry == 0:
                for start in range(0, len(value), entry):
                    split = start + address_cells * 4
                    lines.append("reg %s %s %s" % (path, number(value[start:split]),
                                                   number(value[split:start + entry])))
        result = fdt.next_node(offset, depth, (libfdt.NOTFOUND,))
        if isinstance(result, int) or result[1] <= 0:
            break
        offset, depth = result
    return lines


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: libfdt_dump.py FILE.dtb")
    with open(sys.argv[1], "rb") as blob:
        data = blob.read()
    try:
        lines = dump(data)
    except libfdt.FdtException as error:
        sys.stderr.write("error: %s\n" % error)
        sys.exit(1)
    sys.stdout.write("".join(line + "\n" for line in lines))


main()
