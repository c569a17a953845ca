from billing.edits import mue_import
from billing.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import CMS practitioner MUE values (CSV, or tab-delimited text). Every invalid row is "
        "reported with its line number and then nothing is imported; running a file again "
        "leaves the same table."
    )
    kind = "MUE"
    importer = staticmethod(mue_import)
