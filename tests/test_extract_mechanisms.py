"""Each mechanism of key-value extraction on small generated pages, and real receipts through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glmocr_cli.document import DocResult, PageResult, TextLine
from glmocr_cli.extract import extract_key_values, merge_model_answers, parse_key_spec
from glmocr_cli.extract.normalize import (
    address_commas,
    capitals_in_capital_rows,
    clean_name,
    letters_for_digits,
    slashed_abbreviations,
    space_punctuation,
    split_number_from_word,
    zeros_in_numbers,
)
from glmocr_cli.extract.values import find_amounts, find_dates
from glmocr_cli.labels import PageSource
from helpers.receipts import make_doc, row
from helpers.receipts import values as values_of


def body(top: float = 400) -> list:
    """The items and totals under a receipt's header (the header is the top part of the page)."""
    return (
        row(top, (20, "Item A"), (300, "3.00"))
        + row(top + 30, (20, "Item B"), (300, "4.00"))
        + row(top + 60, (20, "TOTAL"), (300, "7.00"))
        + row(top + 90, (20, "CASH"), (300, "10.00"))
    )


def values(lines, spec: str) -> dict[str, str | None]:
    keys = parse_key_spec(spec)
    return {name: item["value"] for name, item in extract_key_values(make_doc(lines), keys)["keys"].items()}


# -- OCR text normalised --------------------------------------------------------------------------
def test_spacing_restored_around_brackets_and_abbreviations_but_commas_left_as_printed():
    assert space_punctuation("A.B.C.TRADING(KAMPUNG BARU)SDN.BHD.") == "A.B.C. TRADING (KAMPUNG BARU) SDN. BHD."
    assert space_punctuation("27,JALAN DEDAP 13,  TAMAN") == "27,JALAN DEDAP 13, TAMAN"
    assert space_punctuation("MR D.I.Y. (M)") == "MR D.I.Y. (M)"


def test_o_and_zero_confusions_follow_their_word():
    assert letters_for_digits("CHOPPING B0ARD 35.5CM") == "CHOPPING BOARD 35.5CM"
    assert letters_for_digits("UNIT 10 U13/X") == "UNIT 10 U13/X"  # numbers and codes stay
    assert zeros_in_numbers("1230O KOTA, 81 1OO") == "12300 KOTA, 81 1OO"  # three digits needed
    assert zeros_in_numbers("TOKO 12 OO S117") == "TOKO 12 OO S117"
    assert clean_name("SDN `BHD") == "SDN BHD"


def test_a_letter_o_among_two_or_more_digits_is_a_zero():
    assert zeros_in_numbers("NO 31O, JALAN CONTOH") == "NO 310, JALAN CONTOH"
    assert zeros_in_numbers("BLOCK 4O, 2OO") == "BLOCK 4O, 2OO"  # one digit, or as many Os as digits: a code


def test_a_number_run_into_a_word_is_split_but_codes_and_ordinals_stay():
    assert (
        split_number_from_word("41200KL, 22JALAN MAWAR 50480Kuala Lumpur")
        == "41200 KL, 22 JALAN MAWAR 50480 Kuala Lumpur"
    )
    assert (
        split_number_from_word("3RD FLR, 21ST AVE, 7/118B, SS23, U13/BG, 2A, 10Kg")
        == "3RD FLR, 21ST AVE, 7/118B, SS23, U13/BG, 2A, 10Kg"
    )


def test_ocr_specks_inside_a_name_become_what_was_printed():
    assert slashed_abbreviations("77 QUICK MART 5/B") == "77 QUICK MART S/B"
    assert slashed_abbreviations("PIPE 5/8 INCH, A/C") == "PIPE 5/8 INCH, A/C"  # a fraction has no letter
    assert clean_name("NORTHWIND TRADING·SDN BHD") == "NORTHWIND TRADING SDN BHD"
    assert clean_name("LANTERN BOOK- CO. (M) SDN BHD") == "LANTERN BOOK CO. (M) SDN BHD"
    assert clean_name("CO-OP STORE") == "CO-OP STORE"


def test_a_round_capital_read_as_lower_case_in_a_row_of_capitals():
    assert capitals_in_capital_rows("No: 12, JALAN CONTOH 3, TAMAN MAJU") == "NO: 12, JALAN CONTOH 3, TAMAN MAJU"
    assert capitals_in_capital_rows("So: 5 WEST AVENUE") == "SO: 5 WEST AVENUE"
    # Mixed-case rows, and letters not drawn like their capitals ("Na"), keep their case.
    assert (
        capitals_in_capital_rows("No 2A Jalan Contoh, 55100 KUALA LUMPUR") == "No 2A Jalan Contoh, 55100 KUALA LUMPUR"
    )
    assert capitals_in_capital_rows("Na: 12, JALAN CONTOH") == "Na: 12, JALAN CONTOH"


def test_address_dots_between_parts_read_as_commas_but_abbreviations_keep_theirs():
    assert (
        address_commas("NO.7 & 8. JALAN AB 2/3. TAMAN MAJU. 12300 PERAK")
        == "NO.7 & 8, JALAN AB 2/3, TAMAN MAJU, 12300 PERAK"
    )
    assert address_commas("NO. 5, JLN. BESAR, SELANGOR D.E. MALAYSIA.") == "NO. 5, JLN. BESAR, SELANGOR D.E. MALAYSIA."


# -- value grammars -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, written, iso",
    [
        ("05 Mar 2018 18:24", "05 Mar 2018", "2018-03-05"),
        ("14-03-18 21:49 SH03", "14-03-18", "2018-03-14"),
        ("2018.01.05", "2018.01.05", "2018-01-05"),
        ("Jan 5, 2024", "Jan 5, 2024", "2024-01-05"),
        ("14.03.2018", "14.03.2018", "2018-03-14"),
        ("1st December 2017", "1st December 2017", "2017-12-01"),
        # OCR damage: a time glued to the year, a lost or blanked separator (written back as shown)
        ("Date 09/02/201811:40", "09/02/2018", "2018-02-09"),
        ("2703/2018", "27/03/2018", "2018-03-27"),
        ("27/032018", "27/03/2018", "2018-03-27"),
        ("05 02-18 13:02", "05-02-18", "2018-02-05"),
    ],
)
def test_date_grammar(text, written, iso):
    found = find_dates(text)
    assert [(d.text, d.normalized) for d in found] == [(written, iso)]


def test_unlabelled_date_prefers_a_free_standing_date_to_one_inside_a_code_or_repaired():
    lines = (
        row(40, (60, "ACME HARDWARE"))
        + row(300, (20, "HX03-04-06 - 5/40/160"))
        + row(330, (20, "1011-18 PIPE"))
        + row(600, (20, "19-09-17 15:39 T3"))
    )
    assert values(lines, "date") == {"date": "19-09-17"}
    # Alone, a date whose first dash OCR lost is still found, written back with its dash.
    assert values(row(40, (60, "ACME HARDWARE")) + row(300, (20, "0502-18 01:34PM")), "date") == {"date": "05-02-18"}


@pytest.mark.parametrize(
    "text",
    [
        "Tel: 0312-2018",
        "07-3822612",
        "27032018",
        "DATE: 20/03/201",
        "12 05 2018",
        "Invoice 18299/102/T0230",
        "GST ID: 000433614848",
    ],
)
def test_damaged_date_repair_leaves_numbers_that_are_not_dates(text):
    assert find_dates(text) == []


def test_amount_grammar_keeps_an_attached_sign_and_drops_a_separate_code():
    assert [(a.text, a.normalized, a.currency) for a in find_amounts("Nett Total: $8.20")] == [("$8.20", "8.20", "USD")]
    assert [(a.text, a.currency) for a in find_amounts("TOTAL RM 33.92")] == [("33.92", "MYR")]
    assert [(a.text, a.normalized) for a in find_amounts("-$0.02 1.234,50")] == [
        ("-$0.02", "-0.02"),
        ("1.234,50", "1234.50"),
    ]


def test_an_amount_with_a_space_read_after_its_decimal_point_only_at_the_end_of_a_line():
    assert [a.text for a in find_amounts("CASH RM 170. 00")] == ["170.00"]
    assert [a.text for a in find_amounts("170. 00")] == ["170.00"]
    assert [a.text for a in find_amounts("Lot 38. 39 Boulevard")] == []
    assert [a.text for a in find_amounts("2. 50 PCS")] == []


# -- label-value pairing --------------------------------------------------------------------------
def test_a_value_right_of_its_label_beats_one_further_away_and_below():
    lines = (
        row(100, (20, "Invoice No"), (200, "A-17"))
        + row(130, (20, "Ref"), (200, "B-99"))
        + row(200, (20, "Date"))
        + row(226, (20, "03/04/2024"))
    )
    assert values(lines, "invoice number,date") == {"invoice number": "A-17", "date": "03/04/2024"}


def test_unlabelled_date_skips_an_outsized_stamp():
    # A big handwritten or stamped date over the letterhead; the printed one is body-sized.
    lines = (
        row(20, (300, "14 MAR 2018"), height=120)
        + row(160, (20, "SHOP NAME SDN BHD"))
        + row(200, (20, "No 1, Jalan Satu"))
        + row(240, (20, "Item A"), (300, "3.00"))
        + row(270, (20, "Item B"), (300, "4.00"))
        + row(300, (20, "14-03-18 21:49 T1"))
    )
    assert values(lines, "date") == {"date": "14-03-18"}


# -- totals ---------------------------------------------------------------------------------------
def test_total_agrees_with_tendered_minus_change():
    # OCR misread the labelled total; what was paid (cash - change) says which printed amount it is.
    lines = (
        row(100, (20, "Total Qty"), (300, "3"))
        + row(130, (20, "Total (RM)"), (300, "112.46"))
        + row(160, (20, "Amount"), (300, "112.45"))
        + row(190, (20, "CASH"), (300, "120.00"))
        + row(220, (20, "CHANGE"), (300, "7.55"))
    )
    assert values(lines, "total") == {"total": "112.45"}


def test_payment_lines_labelled_amount_paid_and_amount_change_settle_between_two_totals():
    # A pre-tax "Gross Amount" and the "Total (RM)": the payment lines say which one was paid.
    lines = (
        row(100, (20, "Gross Amount :"), (300, "40.00"))
        + row(130, (20, "GST 6%"), (300, "2.40"))
        + row(160, (20, "Total (RM)"), (300, "42.40"))
        + row(190, (20, "Amount Paid"), (300, "42.40"))
        + row(220, (20, "Amount Change :"), (300, "0.00"))
    )
    assert values(lines, "total") == {"total": "42.40"}
    # A service charge is no change line (one OCR slip from it): it says nothing about what was paid.
    lines = (
        row(100, (20, "Total Amount :"), (300, "49.60"))
        + row(130, (20, "Serv Charge 10%"), (300, "4.96"))
        + row(160, (20, "Total Amount:"), (300, "57.80"))
    )
    assert values(lines, "total") == {"total": "57.80"}


def test_a_rounded_total_is_what_was_paid_when_ocr_misread_the_total():
    lines = (
        row(100, (20, "Rounding (RM)"), (300, "-0.02"))
        + row(130, (20, "Total (RM)"), (300, "112.46"))
        + row(160, (20, "CASH"), (300, "112.45"))
        + row(190, (20, "Change (RM)"), (300, "0.00"))
    )
    assert values(lines, "total") == {"total": "112.45"}
    # Without a rounding line, a few cents' difference is no reason to doubt the printed total.
    assert values(lines[2:], "total") == {"total": "112.46"}


def test_net_amount_abbreviated_is_the_total_and_gross_is_not():
    lines = (
        row(100, (20, "Gross Amt"), (300, "47.80"))
        + row(130, (20, "Svc Tax"), (300, "2.87"))
        + row(160, (20, "GST (6%):"), (300, "2.88"))
        + row(190, (20, "Net Amt :"), (300, "53.55"))
        + row(240, (20, "SR @6%"), (200, "47.80"), (300, "2.88"))
    )
    assert values(lines, "total") == {"total": "53.55"}


def test_what_was_paid_is_the_total_when_ocr_missed_the_total_amount():
    # The total's amount is under a stamp; tendered - change, on a skewed photo, says what was paid.
    lines = (
        row(100, (20, "SUB-TOTAL"), (300, "144.68"))
        + row(130, (20, "TAX"), (300, "8.68"))
        + row(160, (20, "TOTAL"))
        + row(190, (20, "CASH"), (300, "153.35"))
        + row(220, (20, "CHANGE"))
        + [("0.00", (300, 230, 344, 254))]  # 10 px lower than its label: off its row, level with it
        + row(300, (20, "GST SUMMARY"))
        + row(330, (20, "TOTAL :"), (200, "144.68"), (300, "8.68"))
    )
    assert values(lines, "total") == {"total": "153.35"}


def test_a_summary_table_total_row_is_not_the_amount_to_pay():
    lines = (
        row(100, (20, "TOTAL"), (300, "18.00"))
        + row(130, (20, "CASII"), (300, "18.00"))
        + row(160, (20, "GST SUMMARY"))
        + row(190, (20, "TOTAL:"), (200, "16.98"), (300, "1.02"))
    )
    assert values(lines, "total") == {"total": "18.00"}


def test_total_inclusive_of_tax_with_a_rate_in_its_label():
    lines = (
        row(100, (20, "GST 6%"), (300, "0.51"))
        + row(130, (20, "Total Includes GST 6%"), (300, "9.00"))
        + row(160, (20, "Cash"), (300, "50.00"))
        + row(190, (20, "Change"), (300, "41.00"))
    )
    assert values(lines, "total") == {"total": "9.00"}


# -- company and address blocks -------------------------------------------------------------------
def test_company_is_the_legal_name_under_a_logo_and_without_its_registration_number():
    lines = (
        row(20, (200, "KGF"), height=70)
        + row(110, (60, "KOP GRILLED FLAVOURS SDN. BHD. (455120-X)"))
        + row(140, (60, "41, JALAN SS 18/27,"))
        + row(166, (60, "47300 PJ"))
        + row(192, (60, "TEL: 03-7012 3456"))
        + body()
    )
    assert values(lines, "company,address") == {
        "company": "KOP GRILLED FLAVOURS SDN. BHD.",
        "address": "41, JALAN SS 18/27, 47300 PJ",
    }


def test_a_narrower_brand_above_the_legal_name_is_not_part_of_it_but_a_wrapped_name_is():
    brand = (
        row(40, (120, "BREWERY TAP")) + row(70, (60, "Owner by Harbor Gray S/B")) + row(100, (60, "Lot 5, Jalan Dua"))
    )
    assert values(brand + body(), "company") == {"company": "Owner by Harbor Gray S/B"}
    wrapped = (
        row(40, (60, "TAK SENG HARDWARE ENTERPRISE"))
        + row(70, (90, "(BANDAR SRI) SDN BHD"))
        + row(100, (60, "No 17, Jalan Tiga"))
    )
    assert values(wrapped + body(), "company") == {"company": "TAK SENG HARDWARE ENTERPRISE (BANDAR SRI) SDN BHD"}


def test_a_row_that_is_only_a_legal_suffix_continues_the_name_above_it_even_when_wider():
    lines = (
        row(40, (160, "LANTERN BOOK"), height=40)
        + row(86, (110, "CO. (M) SDN BHD"), height=44)
        + row(140, (60, "No 6, Jalan 5/112C,"))
        + row(166, (60, "56100 Kuala Lumpur"))
        + body()
    )
    assert values(lines, "company") == {"company": "LANTERN BOOK CO. (M) SDN BHD"}


def test_registration_with_a_middle_dot_is_dropped_and_an_address_line_is_no_name():
    lines = (
        row(40, (60, "77 QUICK MART S/B (612345\u00b7X)"))
        + row(70, (60, "LOT P.T. 4410, JALAN MERAK,"))
        + row(96, (60, "41150 KLANG"))
        + body()
    )
    assert values(lines, "company,address") == {
        "company": "77 QUICK MART S/B",
        "address": "LOT P.T. 4410, JALAN MERAK, 41150 KLANG",
    }
    lines = row(40, (60, "LOT P.T. 4410, JALAN MERAK,")) + row(70, (60, "41150 KLANG")) + body()
    assert values(lines, "company") == {"company": None}


def test_logo_art_read_with_low_confidence_is_not_the_name():
    lines = (
        row(10, (380, "QbR"), height=60)
        + row(80, (220, "1950"), height=70)
        + row(170, (40, "Harbour Lantern Foods Sdn Bhd"))
        + row(200, (180, "(4321-M)"))
        + row(230, (40, "Level 3, Menara Contoh,"))
        + row(256, (40, "50450 Kuala Lumpur"))
        + body()
    )
    doc = make_doc(lines)
    logo = doc.pages[0].regions[0]
    logo.lines = [TextLine(logo.bbox, logo.content, 0.51)]  # what the recogniser makes of a drawn logo
    assert values_of(doc, "company,address") == {
        "company": "Harbour Lantern Foods Sdn Bhd",
        "address": "Level 3, Menara Contoh, 50450 Kuala Lumpur",
    }
    logo.lines = [TextLine(logo.bbox, logo.content, 0.99)]  # read confidently, the same row is a brand name
    assert values_of(doc, "company")["company"] == "QbR"
    # A recogniser that scores every line lower (Tesseract): the bar follows the page's typical row.
    for region in doc.pages[0].regions:
        region.lines = [TextLine(ln.bbox, ln.text, 0.7) for ln in region.lines]
    logo.lines = [TextLine(logo.bbox, logo.content, 0.3)]
    assert values_of(doc, "company")["company"] == "Harbour Lantern Foods Sdn Bhd"


def test_the_header_is_the_top_of_the_printed_text_not_of_a_photo_with_margins():
    # A receipt photographed with a wide margin above it: its text starts half-way down the picture.
    lines = (
        row(600, (500, "B77120"))
        + row(660, (380, "Lantern Point Trading 808"))
        + row(686, (340, "No 21 Jalan Contoh 3/2"))
        + row(712, (420, "Tel: 012-3456789"))
        + body(760)
    )
    assert values(lines, "company,address") == {
        "company": "Lantern Point Trading 808",
        "address": "No 21 Jalan Contoh 3/2",
    }


def test_a_labelled_code_is_no_address_even_when_ocr_garbled_its_label():
    lines = (
        row(40, (60, "Quayside Kitchen Sdn Bhd"))
        + row(66, (60, "Cornpany ro : 7654321-K"))
        + row(92, (60, "Lot 7, Dataran Contoh,"))
        + row(118, (60, "69000 Pahang"))
        + body()
    )
    assert values(lines, "address") == {"address": "Lot 7, Dataran Contoh, 69000 Pahang"}


def test_a_slogan_with_a_web_address_is_not_the_name():
    lines = (
        row(40, (60, "SHOP SMART WITH quickmart.com"))
        + row(66, (60, "RIVERSIDE REST AREA"))
        + row(92, (60, "LOT 9, JALAN CONTOH,"))
        + row(118, (60, "84600 BANDAR"))
        + body()
    )
    assert values(lines, "company") == {"company": "RIVERSIDE REST AREA"}


def test_a_legal_name_with_initials_under_a_brand_is_the_issuer():
    lines = (
        row(40, (160, "Lantern's"))
        + row(70, (110, "Lantern's Grill & Bar"))
        + row(100, (40, "K.L.M Leisure Sdn Bhd (123456-P)"))
        + row(130, (120, "Tel:03-1234 5678"))
        + body()
    )
    assert values(lines, "company") == {"company": "K.L.M Leisure Sdn Bhd"}


def test_a_registration_number_printed_after_the_name_ends_it():
    lines = (
        row(40, (60, "HARBOUR MART 612345-X)"))
        + row(70, (120, "TAMAN CONTOH"))
        + row(100, (120, "41150 KLANG"))
        + body()
    )
    assert values(lines, "company") == {"company": "HARBOUR MART"}


def test_address_stops_at_a_phone_number_without_a_label():
    lines = (
        row(40, (60, "REHAT MAJU SDN BHD"))
        + row(70, (60, "LOT B2, KWS HENTI,"))
        + row(96, (60, "84700,MAJU,JOHOR"))
        + row(122, (60, "quickmart carelne 1800 22 4455"))
        + body()
    )
    assert values(lines, "address") == {"address": "LOT B2, KWS HENTI, 84700,MAJU,JOHOR"}


def test_address_at_the_top_when_no_name_was_read():
    lines = (
        row(40, (60, "K2-118, JL SULTAN AHMAD"))
        + row(66, (60, "80200 JOHOR BAHRU"))
        + row(92, (60, "H/P:019-1234567"))
        + body()
    )
    assert values(lines, "company,address") == {"company": None, "address": "K2-118, JL SULTAN AHMAD 80200 JOHOR BAHRU"}


def test_a_legal_name_after_the_header_is_another_party_not_the_issuer():
    lines = (
        row(40, (60, "PERNIAGAAN HONG WEI"))
        + row(66, (60, "JM0123456-V"))
        + row(92, (60, "NO.47 JALAN MERANTI 3/2"))
        + row(118, (60, "81700 JOHOR BAHRU"))
        + row(144, (60, "TEL:07-123 4567"))
        + row(190, (60, "SIMPLIFIED TAX INVOICE"))
        + row(216, (60, "NORTHPEAK ENGINEERING (M) SDN BHD"))
        + body()
    )
    assert values(lines, "company,address") == {
        "company": "PERNIAGAAN HONG WEI",
        "address": "NO.47 JALAN MERANTI 3/2 81700 JOHOR BAHRU",
    }


def test_address_skips_dates_and_labelled_registrations_and_stops_at_a_run_together_heading():
    lines = (
        row(40, (60, "NORTHWIND INTERNATIONAL SDN BHD"))
        + row(66, (60, "05 Mar 2018 18:24"))
        + row(92, (60, "BR No.: 0876543-X"))
        + row(118, (60, "12, Jalan Contoh 7/4,"))
        + row(144, (60, "81200 Johor Bahru"))
        + row(170, (60, "TAXINVOICE"))
        + body()
    )
    assert values(lines, "address") == {"address": "12, Jalan Contoh 7/4, 81200 Johor Bahru"}


def test_an_owner_line_with_a_legal_name_and_its_number_is_not_the_address():
    lines = (
        row(40, (60, "Pho Noodle Corner"))
        + row(66, (60, "Owned by: Northwind Cafe Sdn Bhd 1234567-X"))
        + row(92, (60, "No. 9 Jalan Cempaka 2/4,"))
        + row(118, (60, "40100 Bandar Contoh"))
        + body()
    )
    assert values(lines, "address") == {"address": "No. 9 Jalan Cempaka 2/4, 40100 Bandar Contoh"}
    # A page whose only numbered line under the name is another party's legal name has no address.
    lines = row(40, (60, "Lakeside Leisure Club")) + row(66, (60, "Harbour Travel Sdn Bhd (765432-K)")) + body()
    assert values(lines, "address") == {"address": None}


# -- the glm engine's answers ---------------------------------------------------------------------
def test_model_answers_merge_first_page_with_a_value():
    pages = [
        PageResult(
            index=i,
            width=100,
            height=100,
            source=PageSource.IMAGE,
            dpi=None,
            size_pt=None,
            rotation=0,
            regions=[],
            key_values=answers,
        )
        for i, answers in enumerate([{"total": {"value": ""}}, {"total": {"value": "9.00"}}])
    ]
    doc = DocResult(
        source=Path("a.pdf"), relative_path=Path("a.pdf"), sha256="", pages=pages, engine={"name": "glm"}, options={}
    )
    assert merge_model_answers(doc, ["total", "date"])["keys"] == {
        "total": {"value": "9.00", "page": 2, "bbox": None, "confidence": None},
        "date": {"value": None, "page": None, "bbox": None, "confidence": None},
    }


# -- real receipts through the CLI ----------------------------------------------------------------
# Per receipt, the fields whose mechanisms this test covers: 020 a logo above the legal name, 022 a
# labelled registration number between name and address and a total "incl. GST 6%", 025 a tax
# summary's total row after the real total and "CASH" read as "CASII".
REAL_FIELDS = {
    "020": ("company", "date", "total"),
    "022": ("date", "address", "total"),
    "025": ("company", "date", "total"),
}


@pytest.mark.slow
def test_cli_extract_on_real_receipts(shared_data, tmp_path, cli):
    folder = tmp_path / "in"
    folder.mkdir()
    for stem in REAL_FIELDS:
        (folder / f"{stem}.jpg").symlink_to(shared_data / "receipts" / "img" / f"{stem}.jpg")
    result = cli(
        "convert",
        str(folder),
        "-o",
        str(tmp_path / "out"),
        "--engine",
        "lite",
        "--format",
        "json",
        "--extract",
        "company,date,address,total",
        "--workers",
        "1",
    )
    assert result.returncode == 0, result.stderr
    for stem, fields in REAL_FIELDS.items():
        truth = json.loads((shared_data / "receipts" / "key" / f"{stem}.json").read_text())
        got = json.loads((tmp_path / "out" / f"{stem}.kv.json").read_text())["keys"]
        assert {f: (got[f]["value"] or "").strip() for f in fields} == {f: truth[f].strip() for f in fields}, stem
