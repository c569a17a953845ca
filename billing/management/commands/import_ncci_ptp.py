from billing.edits import ptp_import
from billing.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import CMS practitioner NCCI PTP edits (ccipra-v…-f1.txt … f4, tab-delimited, or CSV). "
        "Every invalid row is reported with its line number and then nothing is imported; "
        "running a file again leaves the same table."
    )
    kind = "NCCI PTP"
    importer = staticmethod(ptp_import)
