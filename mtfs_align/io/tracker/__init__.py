"""Importing a savings tracker as it comes (DESIGN 3.6): find the sheet and header row, map the
council's own column names, read money exactly, and write options.csv (and activities.csv).

The officer's workbook is never changed; the importer writes only files it wrote before, and keeps
their sha256 in DATA_FOLDER/.mtfs-import.json so that a hand-edited file is never overwritten.

The stages, one a module: `grid` reads the sheets, `column_map` finds (or reads back) the header
row and each column's field, `cells` reads the values, `rows` turns the rows into options and
activities, `files` writes them, and `importer.import_tracker` runs the lot.
"""

from mtfs_align.io.tracker.cells import (
    EQUALITY_WORDS,
    FIELD_OF,
    FIELDS,
    MONEY_FIELDS,
    MONEY_FIX,
    RAG_WORDS,
    SYNONYMS,
    TYPE_WORDS,
    UNIT_FACTOR,
    UNIT_WORD,
    cell_text,
    field_of_header,
    has_own_unit,
    header_unit,
    money_text,
    normalise,
    parse_money,
    rag_of,
    year_of_cell,
    year_of_header,
)
from mtfs_align.io.tracker.column_map import (
    HEADER_SEARCH_ROWS,
    MAP_FILE,
    ColumnMap,
    choose_mapping,
    find_header,
    read_map,
)
from mtfs_align.io.tracker.files import (
    ACTIVITY_COLUMNS,
    MARKER,
    OPTION_COLUMNS_AFTER,
    OPTION_COLUMNS_BEFORE,
    check_writable,
    planned_files,
    write_files,
)
from mtfs_align.io.tracker.grid import Grid, read_grids
from mtfs_align.io.tracker.importer import import_tracker
from mtfs_align.io.tracker.rows import Import, read_tracker

__all__ = [
    "ACTIVITY_COLUMNS",
    "ColumnMap",
    "EQUALITY_WORDS",
    "FIELDS",
    "FIELD_OF",
    "Grid",
    "HEADER_SEARCH_ROWS",
    "Import",
    "MAP_FILE",
    "MARKER",
    "MONEY_FIELDS",
    "MONEY_FIX",
    "OPTION_COLUMNS_AFTER",
    "OPTION_COLUMNS_BEFORE",
    "RAG_WORDS",
    "SYNONYMS",
    "TYPE_WORDS",
    "UNIT_FACTOR",
    "UNIT_WORD",
    "cell_text",
    "check_writable",
    "choose_mapping",
    "field_of_header",
    "find_header",
    "has_own_unit",
    "header_unit",
    "import_tracker",
    "money_text",
    "normalise",
    "parse_money",
    "planned_files",
    "rag_of",
    "read_grids",
    "read_map",
    "read_tracker",
    "write_files",
    "year_of_cell",
    "year_of_header",
]
