"""Import and export of units and group membership (django-import-export).

A file is all or nothing: every row is checked first, with the row number people see in their
spreadsheet (the header is row 1), and a file with any bad row saves nothing. Rows that are
already identical in the portal are skipped, so export-then-import changes nothing.
"""

from recipients.resources.common import (
    FALSE_WORDS,
    FORMATS,
    TRUE_WORDS,
    AllOrNothingResource,
    FileReadError,
    ImportReport,
    RowError,
    TextCSV,
    TextXLSX,
    dataset_load,
    encoding_errors,
    file_format,
    import_template,
    kind_clean,
    kind_lookup,
    kinds_help,
    report_from_result,
)
from recipients.resources.groups import RecipientGroupResource
from recipients.resources.units import UNIT_CODE_RE, UnitResource, _parents_first
from recipients.resources.widgets import (
    CodeWidget,
    FlagWidget,
    KindsWidget,
    KindWidget,
    MembersWidget,
    OrderWidget,
    ParentWidget,
    TextWidget,
)

__all__ = [
    "AllOrNothingResource",
    "CodeWidget",
    "FALSE_WORDS",
    "FORMATS",
    "FileReadError",
    "FlagWidget",
    "ImportReport",
    "KindWidget",
    "KindsWidget",
    "MembersWidget",
    "OrderWidget",
    "ParentWidget",
    "RecipientGroupResource",
    "RowError",
    "TRUE_WORDS",
    "TextCSV",
    "TextWidget",
    "TextXLSX",
    "UNIT_CODE_RE",
    "UnitResource",
    "_parents_first",
    "dataset_load",
    "encoding_errors",
    "file_format",
    "import_template",
    "kind_clean",
    "kind_lookup",
    "kinds_help",
    "report_from_result",
]
