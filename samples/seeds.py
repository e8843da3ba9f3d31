"""The figures of the two seed documents, as printed, with no logic.

Sources, two public reports of Peterborough City Council:

- "Serco Annual Report 2016-17", to the Growth, Environment and Resources
  Scrutiny Committee (1 November 2017): the summary tables in section 4.3
  and Appendix A's "KPI Performance - PSSP Sep 2016 - Aug 2017" and "ICT KPI
  Performance" tables.
- Appendix 2 "Serco Contract Performance", the April-May 2016 return (from
  a text extraction of the PDF: wrapped cells were rejoined by hand;
  line-end spaces of the extraction were dropped).

Every figure is kept as the text printed ("100.00", "0.00", "88.61",
"Not Measurable", "N/a", "0 failures", "< 5%") so ``samples.generate``
decides how to store it. Genuine discrepancies between and within the seeds
are kept as they are, for example:

- R&B-K-011 is "Monthly" in 2016 but "Annual" in 2016-17.
- ICT 12 is "6 Monthly", 15 "Annual" and 18 "Quarterly" in 2016 but all
  "Monthly" in 2016-17; ICT 19's target is ">3.5" in 2016 and "> 3.5" later.
- ICT KPIs 1 and 2 report 100 / 50 / 0 against "0 failures" (they read like
  percentages of incidents resolved in time, but are printed as they are).
- R&B-K-009a is measured in "days" but its 2016 note says "annual target
  of 26%"; the section 4.3 summary claims 8 of 9 STS hits in March 2017.
- Descriptions differ between the years (R&B-K-008, PRO-K-004, "in-year" /
  "in year", "Fulfilment" / "Fulfillment", "Authority’s" / "Authority's").
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------
# Annual report 2016-17: section 4.3 summary tables
# --------------------------------------------------------------------------

ANNUAL_SUMMARY_TITLE = "Serco Annual Report 2016-17 - KPI summary"

SUMMARY_SEP_DEC_MAR_HEADER: tuple[str, ...] = (
    "Service Area", "Sept Target", "Sept Hit", "Dec Target", "Dec Hit", "Mar Target", "Mar Hit",
)  # fmt: skip

# (service area as printed, Sept target, Sept hit, Dec target, Dec hit, Mar target, Mar hit)
SUMMARY_SEP_DEC_MAR: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("Shared Transactional Services", "9", "9", "9", "9", "9", "8"),
    ("Business Support", "1", "1", "2", "1", "2", "2"),
    ("Customer Services", "3", "3", "2", "2", "2", "2"),
    ("BTSI", "1", "1", "1", "1", "1", "1"),
    ("Financial Systems Support", "1", "1", "1", "1", "1", "1"),
    ("Procurement", "3", "3", "3", "3", "3", "3"),
)

SUMMARY_JUL_AUG_TITLE = "July and August 2017"

SUMMARY_JUL_AUG_HEADER: tuple[str, ...] = (
    "Service Area", "July Indicators", "Number Achieved", "August Indicators", "Number Achieved",
)  # fmt: skip

# (service area as printed, July indicators, achieved, August indicators, achieved)
SUMMARY_JUL_AUG: tuple[tuple[str, str, str, str, str], ...] = (
    ("Shared Transactional Services", "9", "9", "9", "9"),
    ("Business Support", "2", "2", "2", "2"),
    ("Customer Services", "2", "1", "2", "1"),
    ("BTSI", "1", "1", "1", "1"),
    ("Financial Systems Support", "1", "1", "1", "1"),
    ("Procurement", "5", "5", "4", "4"),
)

# --------------------------------------------------------------------------
# Annual report 2016-17: Appendix A, PSSP table
# --------------------------------------------------------------------------

ANNUAL_PSSP_TITLE = "KPI Performance - PSSP Sep 2016 - Aug 2017"

# (month header as printed, its target column header), in column order.
ANNUAL_PSSP_MONTHS: tuple[tuple[str, str], ...] = (
    ("Sep-16", "September Performance Target"),
    ("Dec-16", "December Performance Target"),
    ("Mar-17", "March Performance Target"),
    ("Jul-17", "July Performance Target"),
    ("Aug-17", "August Performance Target"),
)


@dataclass(frozen=True, slots=True)
class PsspAnnualRow:
    """One PSSP KPI row; ``figures`` holds (target, actual) per ANNUAL_PSSP_MONTHS."""

    ref: str
    description: str
    frequency: str
    criteria: str
    figures: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PsspAnnualArea:
    """A service area's block: its abbreviation, rows and the count row after them.

    ``count`` is the count row's text ("" when the seed prints none: BTSI,
    SPS) and ``count_column`` the column the seed prints it in ("A", or "B"
    for FSS and PROC).
    """

    area: str
    rows: tuple[PsspAnnualRow, ...]
    count: str = ""
    count_column: str = "A"


ANNUAL_PSSP: tuple[PsspAnnualArea, ...] = (
    PsspAnnualArea(
        area="STS",
        count="9",
        rows=(
            PsspAnnualRow(
                "STS-K-009", "Completion of statutory returns", "Monthly", "%",
                (("100.00", "100.00"), ("100.00", "100.00"), ("100.00", "100.00"),
                 ("100.00", "100.00"), ("100.00", "100.00")),
            ),
            PsspAnnualRow(
                "R&B-K-001", "Achievement of the in year Council Tax collection rate target",
                "Annual", "%",
                (("95.80", "95.80"), ("95.80", "95.80"), ("95.80", "95.48"),
                 ("95.80", "95.80"), ("95.80", "95.80")),
            ),
            PsspAnnualRow(
                "R&B-K-002", "Achievement of the in year business rates collection rate target",
                "Annual", "%",
                (("97.80", "97.80"), ("97.80", "97.80"), ("97.80", "97.90"),
                 ("97.80", "97.80"), ("97.80", "97.80")),
            ),
            PsspAnnualRow(
                "R&B-K-007", "Council Tax arrears collection", "Annual", "%",
                (("14.31", "14.31"), ("14.31", "14.31"), ("14.31", "18.26"),
                 ("14.31", "14.31"), ("14.31", "14.31")),
            ),
            PsspAnnualRow(
                "R&B-K-008",
                "Percentage collection of former years arrears to be within agreed annual "
                "target agreed with the authority (Business Rates)",
                "Annual", "%",
                (("30.00", "30.00"), ("30.00", "30.00"), ("30.00", "30.23"),
                 ("30.00", "30.00"), ("30.00", "30.00")),
            ),
            PsspAnnualRow(
                "R&B-K-009", "Debt recovery - Parking", "Monthly", "days",
                (("14.00", "10.66"), ("14.00", "2.35"), ("14.00", "1.26"),
                 ("14.00", "1.22"), ("14.00", "1.12")),
            ),
            PsspAnnualRow(
                "R&B-K-009a", "Debt recovery - Housing Benefit Overpayment", "Annual", "days",
                (("26.00", "26.00"), ("26.00", "26.00"), ("26.00", "30.01"),
                 ("26.00", "26.00"), ("26.00", "26.00")),
            ),
            PsspAnnualRow(
                "R&B-K-009b", "Debt recovery - Sundry Debt", "Annual", "%",
                (("63.00", "63.00"), ("63.00", "63.00"), ("63.00", "61.71"),
                 ("63.00", "63.00"), ("63.00", "63.00")),
            ),
            PsspAnnualRow(
                "R&B-K-011", "Average time to process housing benefit claims and changes",
                "Annual", "days",
                (("16.00", "16.00"), ("16.00", "16.00"), ("16.00", "15.60"),
                 ("16.00", "16.00"), ("16.00", "16.00")),
            ),
        ),
    ),
    PsspAnnualArea(
        area="BS",
        count="2",
        rows=(
            PsspAnnualRow(
                "PAY-K-001", "Ensure all payroll deadlines are met", "Monthly", "%",
                (("100.00", "100.00"), ("100.00", "100.00"), ("100.00", "100.00"),
                 ("100.00", "100.00"), ("100.00", "100.00")),
            ),
            PsspAnnualRow(
                "BS-K-002", "Business support tasks completed to deadline", "Monthly", "%",
                (("97.00", "Not Measurable"), ("97.00", "95.42"), ("97.00", "97.45"),
                 ("97.00", "97.65"), ("97.00", "98.12")),
            ),
        ),
    ),
    PsspAnnualArea(
        area="CS",
        count="3",
        rows=(
            PsspAnnualRow(
                "CS-K-001", "% of customers satisfied with the service they received",
                "6 Monthly", "%",
                (("95.00", "99.00"),
                 ("95.00", "Not Measured in December - No Survey"),
                 ("95.00", "Not Measured in March - No Survey"),
                 ("95.00", "Not Measured in July - no Survey"),
                 ("95.00", "Not Measured in August - no Survey")),
            ),
            PsspAnnualRow(
                "CS-K-002", "% of telephone calls answered", "Monthly", "%",
                (("86.00", "86.00"), ("88.00", "89.00"), ("83.00", "84.00"),
                 ("83.00", "82.00"), ("86.00", "76.00")),
            ),
            PsspAnnualRow(
                "CS-K-006", "% of First Call resolution in Call Centre (excluding switch)",
                "Monthly", "%",
                (("85.00", "90.00"), ("85.00", "91.00"), ("85.00", "92.00"),
                 ("85.00", "89.00"), ("85.00", "87.00")),
            ),
        ),
    ),
    # The seed prints no count row after BTSI (three blank lines instead).
    PsspAnnualArea(
        area="BTSI",
        rows=(
            PsspAnnualRow(
                "BT-K-002",
                "Delivery of outputs as agreed in the annual delivery plan. Performance to be "
                "tracked against milestones as agreed in the annual delivery plan",
                "Annual", "%",
                (("85.00", "100.00"), ("85.00", "100.00"), ("85.00", "100.00"),
                 ("85.00", "90.00"), ("85.00", "90.00")),
            ),
        ),
    ),
    PsspAnnualArea(
        area="FSS",
        count="2",
        count_column="B",
        rows=(
            PsspAnnualRow(
                "FS-K-001", "Complete month and year end BCR and DCAL processes", "Monthly", "%",
                (("100.00", "100.00"), ("100.00", "100.00"), ("100.00", "100.00"),
                 ("100.00", "100.00"), ("100.00", "100.00")),
            ),
            PsspAnnualRow(
                "FS-K-002",
                "Within the working hours 09:00am and 17:00pm Monday to Friday (excl public "
                "holidays) to respond to all priority 1 calls within 1 hour",
                "Monthly", "%",
                (("90.00", "Not measurable no calls received"),
                 ("90.00", "Not measurable no calls received"),
                 ("90.00", "Not measurable no calls received"),
                 ("90.00", "Not measurable no calls received"),
                 ("90.00", "Not measurable no calls received")),
            ),
        ),
    ),
    PsspAnnualArea(
        area="PROC",
        count="5",
        count_column="B",
        rows=(
            PsspAnnualRow(
                "PRO-K-002", "Deliver key stages of procurement strategy", "Quarterly", "%",
                (("100.00", "100.00"), ("100.00", "100.00"), ("100.00", "100.00"),
                 ("100.00", "100.00"), ("100.00", "100.00")),
            ),
            PsspAnnualRow(
                "PRO-K-004",
                "Produce a Quarterly Report on procurement and supplier management covering; "
                "Directorate spend, Expenditure by commodity, Expenditure on/off contract by "
                "owner of the contract (non-CPU and CPU); Contracts falling due for renewal "
                "where known to CPU, Identification of opportunities for savings and "
                "efficiencies, Purchase order compliance, Sourcing activities where known to "
                "the CPU and other activities where known to the Partner' P-Card usage and "
                "exceptions, Spend analysis activities, Exemption requests (i.e. requests for "
                "exemptions from Contract Regulations).",
                "Quarterly", "%",
                (("100.00", "Not measured as qtrly report"),
                 ("100.00", "Not measured as qtrly report"),
                 ("100.00", "Not measured as qtrly report"),
                 ("100.00", "100.00"),
                 ("100.00", "Not Measured as qtrly report")),
            ),
            PsspAnnualRow(
                "PRO-K-005",
                "Create & Maintain a contract register for all Corporate Contracts and "
                "Non - Corporate contracts (where known).",
                "Monthly", "%",
                (("100.00", "Not Measurable"), ("100.00", "Not Measurable"),
                 ("100.00", "Not Measurable"), ("100.00", "100.00"), ("100.00", "100.00")),
            ),
            PsspAnnualRow(
                "PRO-K-006",
                "Co-operate with the Authority's Legal Services to provide timely and "
                "appropriate documentation and other necessary information to enable the "
                "Authority's Legal Services to prepare the contracts for signing.",
                "Monthly", "%",
                (("100.00", "100.00"), ("100.00", "100.00"), ("100.00", "100.00"),
                 ("100.00", "100.00"), ("100.00", "100.00")),
            ),
            PsspAnnualRow(
                "PRO-K-007", "Provide a monthly compliance report on Purchase Cards",
                "Monthly", "%",
                (("100.00", "100.00"), ("100.00", "100.00"), ("100.00", "100.00"),
                 ("100.00", "100.00"), ("100.00", "100.00")),
            ),
        ),
    ),
    PsspAnnualArea(
        area="SPS",
        rows=(
            PsspAnnualRow(
                "SP-K-009",
                "Percentage of tasks completed within timescale as outlined in the agreed "
                "method statements",
                "Quarterly", "%",
                (("N/A", "Removed from Contract through NoC 041"),
                 ("N/A", "Removed from Contract through NoC 041"),
                 ("N/A", "Removed from Contract through NoC 041"),
                 ("N/A", "Removed from Contract through NoC 041"),
                 ("N/A", "Removed from Contract through NoC 041")),
            ),
        ),
    ),
)  # fmt: skip

# The colour the supplier gave a cell where it differs from the honest status.
#
# Inferred, not printed: the seed text carries no colours. Section 4.3 says
# Shared Transactional Services hit 8 of its 9 targets in March 2017 and
# names the in-year Council Tax rate (R&B-K-001, 95.48 against 95.80) as the
# one miss, yet R&B-K-009a (30.01 days against 26) and R&B-K-009b (61.71%
# against 63%) also missed on the figures. For the supplier's own count to
# be 8 it must have coloured those two cells "Target Met" green.
# Keys are (ref, month header as printed); values are colour-key labels.
ANNUAL_PSSP_SUPPLIER_COLOURS: dict[tuple[str, str], str] = {
    ("R&B-K-009a", "Mar-17"): "Target Met",
    ("R&B-K-009b", "Mar-17"): "Target Met",
}

# --------------------------------------------------------------------------
# Annual report 2016-17: Appendix A, ICT table
# --------------------------------------------------------------------------

ANNUAL_ICT_TITLE = "ICT KPI Performance"

ANNUAL_ICT_MONTHS: tuple[str, ...] = (
    "Jun-16", "Sep-16", "Dec-16", "Mar-17", "Apr-17", "Jul-17", "Aug-17",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class IctAnnualRow:
    """One ICT KPI row; ``actuals`` follows ANNUAL_ICT_MONTHS; "" = a blank threshold."""

    ref: str
    description: str
    frequency: str
    target: str
    detriment: str
    failure: str
    actuals: tuple[str, ...]


# The seed prints KPIs 18-21 one column to the left (ref under "Service
# Area"), an artefact of the extraction below the end of the "ICT" label.
ANNUAL_ICT: tuple[IctAnnualRow, ...] = (
    IctAnnualRow("1", "Resolution of severity 1 incidents (2 hrs)", "Monthly",
                 "0 failures", "1 failure", "2 failures",
                 ("100", "100", "N/A", "0", "0", "0", "100")),
    IctAnnualRow("2", "Resolution of severity 2 incidents (1 business day)", "Monthly",
                 "0 failures", "1 failure", "2 failures",
                 ("100", "100", "0", "0", "100", "0", "100")),
    IctAnnualRow("3", "Resolution of severity 3 incidents (2 business days)", "Monthly",
                 "90.0%", "87.0%", "84.0%",
                 ("90.65", "93.33", "84.42", "97", "100", "97", "99")),
    IctAnnualRow("4", "Resolution of severity 4 incidents (4 business days)", "Monthly",
                 "90.0%", "", "",
                 ("93.2", "98.64", "94.34", "97", "98", "98", "98")),
    IctAnnualRow("7", "Fulfillment of priority 3 service requests (4 business days)", "Monthly",
                 "90%", "87%", "84%",
                 ("88.61", "93.11", "58.89", "96", "99", "98", "96")),
    IctAnnualRow("8", "Fulfillment of priority 4 service requests (8 business days)", "Monthly",
                 "90%", "", "",
                 ("93.13", "91.98", "78.5", "95", "95", "95", "93")),
    IctAnnualRow("9", "Call answering (within 20 seconds)", "Monthly",
                 "80%", "77%", "74%",
                 ("87.01", "85.02", "74.24", "91", "80", "79", "80")),
    IctAnnualRow("10", "Call abandoned rate", "Monthly",
                 "< 5%", "", "",
                 ("1.8", "1.4", "2.07", "1", "1", "3", "2")),
    IctAnnualRow("11", "First point of contact fix", "Monthly",
                 "50%", "46%", "42%",
                 ("64.84", "70.51", "65.49", "63", "54", "59", "64")),
    IctAnnualRow("12", "Key application availability", "Monthly",
                 "0 failures", "1 failure", "2 failures",
                 ("0.00", "0", "0", "0", "0", "0", "0")),
    IctAnnualRow("13", "Gold application availability", "Monthly",
                 "1 failure", "3 failures", "4 failures",
                 ("0.00", "0", "0", "0", "0", "0", "0")),
    IctAnnualRow("14", "Silver application availability", "Monthly",
                 "98%", "", "",
                 ("100", "100", "100", "100", "100", "100", "100")),
    IctAnnualRow("15", "Network availability of individual primary Council Premises", "Monthly",
                 "0 failures", "1 failure", "2 failures",
                 ("0.00", "0", "0", "0", "0", "0", "0")),
    IctAnnualRow("16", "Network availability of all resilient Council Premises", "Monthly",
                 "99.50%", "99.00%", "98.50%",
                 ("100", "100", "100", "100", "100", "100", "100")),
    IctAnnualRow("17", "Network availability of all non-resilient Council Premises", "Monthly",
                 "99%", "", "",
                 ("99", "99.98", "99", "97.5", "99", "98", "99")),
    IctAnnualRow("18", "Project success index", "Monthly",
                 "1 failure", "2 failures", "3 failures",
                 ("0.00", "0", "0", "0", "0", "0", "0")),
    IctAnnualRow("19", "Measurement of customer satisfaction", "Monthly",
                 "> 3.5", "", "",
                 ("4.2", "4.1", "3.4", "3.9", "4.3", "3.9", "3.9")),
    IctAnnualRow("20", "Response to incidents raised by a call", "Monthly",
                 "90%", "", "",
                 ("N/a", "N/a", "N/a", "N/a", "N/a", "N/a", "N/a")),
    IctAnnualRow("21", "Response to incidents raised via web browser", "Monthly",
                 "90%", "", "",
                 ("N/a", "N/a", "N/a", "N/a", "N/a", "N/a", "N/a")),
)  # fmt: skip

# --------------------------------------------------------------------------
# April-May 2016 return: PSSP table
# --------------------------------------------------------------------------

MONTHLY_PSSP_TITLE = "PSSP KPI Performance - 2016"


@dataclass(frozen=True, slots=True)
class PsspMonthlyRow:
    """One PSSP row of the April-May 2016 return (targets are the month's profile)."""

    ref: str
    description: str
    frequency: str
    criteria: str
    april_target: str
    april: str
    may_target: str
    may: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class PsspMonthlyArea:
    """A service area (full name as printed) and what the seed prints after its rows.

    ``spacer_after``: a blank row follows. ``stray_criteria_after``: instead a
    row follows holding only this text in the Measure Criteria column.
    """

    area: str
    rows: tuple[PsspMonthlyRow, ...]
    spacer_after: bool = False
    stray_criteria_after: str = ""


MONTHLY_PSSP: tuple[PsspMonthlyArea, ...] = (
    PsspMonthlyArea(
        area="Shared Transactional Services",
        rows=(
            PsspMonthlyRow("STS-K-009", "Completion of statutory returns", "Monthly", "%",
                           "100.00", "100.00", "100.00", "100.00"),
            PsspMonthlyRow("R&B-K-001",
                           "Achievement of the in-year Council Tax collection rate target",
                           "Annual", "%", "11.36", "10.96", "20.31", "20.32",
                           "On track to meet annual target of 95.8%"),
            PsspMonthlyRow("R&B-K-002",
                           "Achievement of the in-year business rates collection rate target",
                           "Annual", "%", "11.56", "10.87", "19.84", "19.85",
                           "On track to meet annual target of 97.8%"),
            PsspMonthlyRow("R&B-K-007", "Council Tax arrears collection", "Annual", "%",
                           "2.57", "2.83", "4.56", "4.81",
                           "On track to meet annual target of 14.31%"),
            PsspMonthlyRow("R&B-K-008", "Business Rates arrears collection", "Annual", "%",
                           "7.35", "7.96", "11.25", "9.96",
                           "On track to meet annual target of 30%"),
            PsspMonthlyRow("R&B-K-009", "Debt recovery - Parking", "Monthly", "days",
                           "14.00", "11.53", "14.00", "8.09"),
            PsspMonthlyRow("R&B-K-009a", "Debt recovery - Housing Benefit Overpayment",
                           "Annual", "days", "2.72", "2.74", "5.00", "5.04",
                           "On track to meet annual target of 26%"),
            PsspMonthlyRow("R&B-K-009b", "Debt recovery - Sundry Debt", "Annual", "%",
                           "56.50", "49.34", "60.00", "59.01",
                           "On track to meet annual target of 63%"),
            PsspMonthlyRow("R&B-K-011",
                           "Average time to process housing benefit claims and changes",
                           "Monthly", "days", "19.00", "5.93", "19.18", "8.07"),
        ),
    ),
    PsspMonthlyArea(
        area="Business Support",
        spacer_after=True,
        rows=(
            PsspMonthlyRow("PAY-K-001", "Ensure all payroll deadlines are met", "Monthly", "%",
                           "100.00", "100.00", "100.00", "100.00"),
            PsspMonthlyRow("BS-K-002", "Business support tasks completed to deadline",
                           "Monthly", "%", "97.00", "98.15", "97.00", "97.68"),
        ),
    ),
    PsspMonthlyArea(
        area="Customer Services",
        spacer_after=True,
        rows=(
            PsspMonthlyRow("CS-K-001", "% of customers satisfied with the service they received",
                           "6 Monthly", "%",
                           "95.00", "Not Measured in April No Survey Due",
                           "95.00", "Not Measured in May No Survey Due"),
            PsspMonthlyRow("CS-K-002", "% of telephone calls answered", "Monthly", "%",
                           "82.00", "83.00", "82.00", "85.00",
                           "Overall annual target is 85% (profiled across the year)"),
            PsspMonthlyRow("CS-K-006",
                           "% of First Call resolution in Call Centre (excluding switch)",
                           "Monthly", "%", "85.00", "92.00", "85.00", "93.00"),
        ),
    ),
    PsspMonthlyArea(
        area="Business Transformation and Service Improvement",
        stray_criteria_after="%",
        rows=(
            PsspMonthlyRow("BT-K-002",
                           "Delivery of outputs as agreed in the annual delivery plan. "
                           "Performance to be tracked against milestones as agreed in the "
                           "annual delivery plan",
                           "Annual", "%", "85.00", "Not yet measurable",
                           "85.00", "Not yet measurable",
                           "ADP and milestones being agreed"),
        ),
    ),
    PsspMonthlyArea(
        area="Financial Services System",
        spacer_after=True,
        rows=(
            PsspMonthlyRow("FS-K-001", "Complete month and year end BCR and DCAL processes",
                           "Monthly", "%", "100.00", "100.00", "100.00", "100.00"),
            PsspMonthlyRow("FS-K-002",
                           "Within the working hours 09:00am and 17:00pm Monday to Friday "
                           "(excl public holidays) to respond to all priority 1 calls "
                           "within 1 hour",
                           "Monthly", "%", "90.00", "90.00",
                           "90.00", "Not measurable no calls received"),
        ),
    ),
    PsspMonthlyArea(
        area="Procurement",
        rows=(
            PsspMonthlyRow("PRO-K-002", "Deliver key stages of procurement strategy",
                           "Quarterly", "%", "100.00", "Not Measurable", "100.00", "100.00"),
            PsspMonthlyRow("PRO-K-004",
                           "Produce a Quarterly Report on procurement and supplier management",
                           "Quarterly", "%", "100.00", "100.00",
                           "100.00", "Not measured as quarterly report"),
            PsspMonthlyRow("PRO-K-005",
                           "Create & Maintain a contract register for all Corporate Contracts "
                           "and Non - Corporate contracts (where known).",
                           "Monthly", "%", "100.00", "Not Measurable",
                           "100.00", "Not yet measurable",
                           "Contract register to be handed over to Serco"),
            PsspMonthlyRow("PRO-K-006",
                           "Co-operate with the Authority’s Legal Services to provide timely "
                           "and appropriate documentation and other necessary information to "
                           "enable the Authority’s Legal Services to prepare the contracts "
                           "for signing.",
                           "Monthly", "%", "100.00", "Not Measurable", "100.00", "100.00"),
            PsspMonthlyRow("PRO-K-007", "Provide a monthly compliance report on Purchase Cards",
                           "Monthly", "%", "100.00", "100.00", "100.00", "100.00"),
        ),
    ),
)  # fmt: skip

# --------------------------------------------------------------------------
# April-May 2016 return: ICT table
# --------------------------------------------------------------------------

MONTHLY_ICT_TITLE = "ICT KPI Performance"


@dataclass(frozen=True, slots=True)
class IctMonthlyRow:
    """One ICT row of the April-May 2016 return; "" = a blank cell."""

    ref: str
    description: str
    frequency: str
    criteria: str
    target: str
    detriment: str
    failure: str
    april: str
    may: str
    notes: str = ""


MONTHLY_ICT: tuple[IctMonthlyRow, ...] = (
    IctMonthlyRow("1", "Resolution of severity 1 incidents (2 hrs)", "Monthly", "Volume",
                  "0 failures", "1 failure", "2 failures", "100", "50",
                  "Both incidents resolved but one not updated on the system as per process"),
    IctMonthlyRow("2", "Resolution of severity 2 incidents (1 business day)", "Monthly", "Volume",
                  "0 failures", "1 failure", "2 failures", "100", "100"),
    IctMonthlyRow("3", "Resolution of severity 3 incidents (2 business days)", "Monthly", "%",
                  "90.0%", "87.0%", "84.0%", "88.89", "93.18"),
    IctMonthlyRow("4", "Resolution of severity 4 incidents (4 business days)", "Monthly", "%",
                  "90.0%", "", "", "96.19", "96.23"),
    IctMonthlyRow("5", "Fulfilment of priority 1 service requests (1 business day)", "Monthly",
                  "%", "90%", "87%", "84%", "No Data", "No Data"),
    IctMonthlyRow("6", "Fulfilment of priority 2 service requests (2 business days)", "Monthly",
                  "%", "90%", "87%", "84%", "No Data", "100"),
    IctMonthlyRow("7", "Fulfilment of priority 3 service requests (4 business days)", "Monthly",
                  "%", "90%", "87%", "84%", "94.01", "92.44"),
    IctMonthlyRow("8", "Fulfilment of priority 4 service requests (8 business days)", "Monthly",
                  "%", "90%", "", "", "95.54", "95.61"),
    IctMonthlyRow("9", "Call answering (within 20 seconds)", "Monthly", "%",
                  "80%", "77%", "74%", "80.58", "80"),
    IctMonthlyRow("10", "Call abandoned rate", "Monthly", "%",
                  "< 5%", "", "", "2.64", "1.03"),
    IctMonthlyRow("11", "First point of contact fix", "Monthly", "%",
                  "50%", "46%", "42%", "65.1", "63.55"),
    IctMonthlyRow("12", "Key application availability", "6 Monthly", "Volume",
                  "0 failures", "1 failure", "2 failures", "0", "0"),
    IctMonthlyRow("13", "Gold application availability", "Monthly", "Volume",
                  "1 failure", "3 failures", "4 failures", "0", "0"),
    IctMonthlyRow("14", "Silver application availability", "Monthly", "%",
                  "98%", "", "", "100", "100"),
    IctMonthlyRow("15", "Network availability of individual primary Council Premises", "Annual",
                  "Volume", "0 failures", "1 failure", "2 failures", "0", "0"),
    IctMonthlyRow("16", "Network availability of all resilient Council Premises", "Monthly", "%",
                  "99.50%", "99.00%", "98.50%", "100", "100"),
    IctMonthlyRow("17", "Network availability of all non-resilient Council Premises", "Monthly",
                  "%", "99%", "", "", "99", "99"),
    IctMonthlyRow("18", "Project success index", "Quarterly", "Volume",
                  "1 failure", "2 failures", "3 failures", "0", "0"),
    IctMonthlyRow("19", "Measurement of customer satisfaction", "Monthly", "Value",
                  ">3.5", "", "", "4.3", "4.1"),
    IctMonthlyRow("20", "Response to incidents raised by a call", "Monthly", "%",
                  "90%", "", "", "No Data", "No Data",
                  "KPIs 20 and 21 due to be removed as the new system automatically "
                  "generates responses."),
    IctMonthlyRow("21", "Response to incidents raised via web browser", "Monthly", "%",
                  "90%", "", "", "No Data", "No Data"),
)  # fmt: skip
