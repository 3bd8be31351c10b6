"""Lite key-value extraction: key specs, label/value geometry, typed values, and one real receipt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glmocr_cli.extract import KeySpec, extract_key_values, parse_key_spec
from glmocr_cli.extract.values import find_amounts, find_dates
from glmocr_cli.document import Region, Task
from helpers.receipts import make_doc, row, values


# -- key specs ------------------------------------------------------------------------------------
def test_comma_list_gives_keys_with_inferred_types_and_synonyms():
    keys = parse_key_spec(" company, date ,total,invoice_number, date")
    assert [k.name for k in keys] == ["company", "date", "total", "invoice_number"]
    kinds = {k.name: k.type for k in keys}
    assert kinds == {"company": "name", "date": "date", "total": "amount", "invoice_number": "id"}
    total = next(k for k in keys if k.name == "total")
    assert {"grand total", "amount due", "total"} <= set(total.synonyms)
    assert "invoice no" in next(k for k in keys if k.name == "invoice_number").synonyms


def test_json_schema_file_gives_types_descriptions_and_extra_synonyms(tmp_path):
    schema = {
        "type": "object",
        "properties": {
            "issued": {"type": "string", "format": "date", "description": "Issue date"},
            "grand_total": {"type": "number"},
            "po": {"type": "string", "description": "Purchase order", "x-synonyms": ["PO #", "Order ref"]},
        },
    }
    path = tmp_path / "invoice.schema.json"
    path.write_text(json.dumps(schema))
    keys = {k.name: k for k in parse_key_spec(str(path))}
    assert keys["issued"].type == "date" and keys["issued"].description == "Issue date"
    assert "issue date" in keys["issued"].synonyms
    assert keys["grand_total"].type == "amount"
    assert {"purchase order", "po #", "order ref"} <= set(keys["po"].synonyms)


def test_bad_specs_are_errors(tmp_path):
    with pytest.raises(ValueError):
        parse_key_spec(" , ")
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    with pytest.raises(ValueError):
        parse_key_spec(str(empty))
    with pytest.raises(OSError):
        parse_key_spec(str(tmp_path / "missing.json"))


# -- geometry -------------------------------------------------------------------------------------
def test_value_to_the_right_of_its_label_with_page_and_bbox():
    doc = make_doc(row(100, (40, "Invoice No:"), (300, "INV-2024-042")) + row(140, (40, "Terms:"), (300, "30 days")))
    found = extract_key_values(doc, [KeySpec("invoice number"), KeySpec("terms")])["keys"]
    assert found["invoice number"]["value"] == "INV-2024-042"
    assert found["invoice number"]["page"] == 1
    assert found["invoice number"]["bbox"] == [300.0, 100.0, 432.0, 124.0]
    assert found["invoice number"]["label"] == "Invoice No"
    assert found["terms"]["value"] == "30 days"
    assert 0 < found["terms"]["confidence"] <= 1


def test_value_below_its_label_and_typed_values_skip_lines_of_the_wrong_kind():
    # A payment slip: the label sits above the account, then the creditor's name.
    doc = make_doc(
        row(500, (20, "Account / Payable to"))
        + row(522, (20, "CH58 0079 1123 0008 8901 2"))
        + row(544, (20, "Robert Schneider AG"))
        + row(566, (20, "Rue du Lac 1268"))
        + row(620, (20, "Currency"), (130, "Amount"))
        + row(642, (20, "CHF"), (130, "3 949.75"))
    )
    assert values(doc, "account,creditor name,currency,amount") == {
        "account": "CH58 0079 1123 0008 8901 2",
        "creditor name": "Robert Schneider AG",
        "currency": "CHF",
        "amount": "3 949.75",
    }


def test_value_on_the_same_line_as_its_label():
    doc = make_doc(row(50, (40, "Order ref: A-7731")) + row(80, (40, "Date: 03.02.2025 14:05")))
    found = extract_key_values(doc, parse_key_spec("order ref,date"))["keys"]
    assert found["order ref"]["value"] == "A-7731"
    assert found["date"]["value"] == "03.02.2025"
    assert found["date"]["normalized"] == "2025-02-03"
    # The box is the value's part of the line, not the whole line.
    assert found["date"]["bbox"][0] > 40


def test_region_content_without_ocr_lines_is_used():
    # Engines that read a region as a whole (text layer, GLM) give content but no lines.
    region = Region(
        index=0,
        order=0,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=(10, 10, 400, 60),
        score=1.0,
        content="Customer: Jane Doe\nDate: 2024-06-30",
    )
    found = extract_key_values(make_doc([], regions=[region]), parse_key_spec("date"))["keys"]["date"]
    assert found["value"] == "2024-06-30" and found["page"] == 1 and 10 <= found["bbox"][1] < found["bbox"][3] <= 60


def test_glm_style_markdown_and_html_table_regions():
    text = Region(
        index=0,
        order=0,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=(40, 40, 500, 100),
        score=1.0,
        content="**Invoice No:** INV-7731\n**Date:** 2025-02-03",
    )
    table = Region(
        index=1,
        order=1,
        label="table",
        native_label="table",
        task=Task.TABLE,
        bbox=(40, 300, 640, 420),
        score=1.0,
        content="<table><tr><th>Item</th><th>Amount</th></tr><tr><td>Design work</td>"
        "<td>1,000.00</td></tr><tr><td>Subtotal</td><td>1,000.00</td></tr>"
        "<tr><td>VAT 25%</td><td>250.00</td></tr><tr><td><b>Total due</b></td>"
        "<td>USD 1,250.00</td></tr></table>",
    )
    found = extract_key_values(make_doc([], regions=[text, table]), parse_key_spec("invoice number,date,total"))["keys"]
    assert {k: v["value"] for k, v in found.items()} == {
        "invoice number": "INV-7731",
        "date": "2025-02-03",
        "total": "1,250.00",
    }
    assert found["total"]["currency"] == "USD" and found["total"]["bbox"][1] >= 300


def test_missing_keys_are_null():
    doc = make_doc(row(50, (40, "Hello world")))
    assert extract_key_values(doc, parse_key_spec("iban,total"))["keys"] == {
        "iban": {"value": None, "page": None, "bbox": None, "confidence": None},
        "total": {"value": None, "page": None, "bbox": None, "confidence": None},
    }


# -- typed values ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, written, iso",
    [
        ("Date: 25/12/2018 8:13:39 PM", "25/12/2018", "2018-12-25"),
        ("DATE : 12/28/2017 10:17", "12/28/2017", "2017-12-28"),  # month first: 28 is no month
        ("Date 12-01-19 21:13", "12-01-19", "2019-01-12"),
        ("Invoice date: 2017-12-28", "2017-12-28", "2017-12-28"),
        ("Dated 5 Jan 2024", "5 Jan 2024", "2024-01-05"),
        ("Date: March 5, 2024", "March 5, 2024", "2024-03-05"),
    ],
)
def test_dates_in_several_formats_keep_the_written_form(line, written, iso):
    doc = make_doc(row(30, (20, "Tel: 07-355 2616")) + row(60, (20, line)))
    found = extract_key_values(doc, parse_key_spec("date"))["keys"]["date"]
    assert found["value"] == written
    assert found.get("normalized", found["value"]) == iso


def test_phone_numbers_and_codes_are_not_dates_and_rates_are_not_amounts():
    assert find_dates("Tel: 03-4162-2318") == []
    assert find_dates("LOT 1851-A & 1851-B") == []
    assert find_dates("31/02/2020") == []  # no such day-month either way round
    assert [a.text for a in find_amounts("VAT 7.7 % on 10.00%")] == []
    assert [(a.text, a.normalized, a.currency) for a in find_amounts("-RM 0.02 and € 1.234,50")] == [
        ("-0.02", "-0.02", "MYR"),
        ("1.234,50", "1234.50", "EUR"),
    ]


@pytest.mark.parametrize(
    "line, written, normalized, currency",
    [
        ("TOTAL: $1,234.00", "$1,234.00", "1234.00", "USD"),  # a sign printed against the number is kept
        ("TOTAL: $ 1,234.00", "1,234.00", "1234.00", "USD"),
        ("Amount due € 1.234,50", "1.234,50", "1234.50", "EUR"),
        ("Total CHF 3'949.75", "3'949.75", "3949.75", "CHF"),
        ("Grand Total RM45.60", "45.60", "45.60", "MYR"),
    ],
)
def test_amounts_with_currency(line, written, normalized, currency):
    found = extract_key_values(make_doc(row(40, (20, line))), parse_key_spec("total"))["keys"]["total"]
    assert (found["value"], found.get("normalized", found["value"]), found["currency"]) == (
        written,
        normalized,
        currency,
    )


# -- totals, company and address ------------------------------------------------------------------
def receipt_body(total_label: str = "Totl") -> list:
    return (
        row(400, (20, "2 Flat white"), (300, "6.40"))
        + row(430, (20, "Total Qty: 3"))
        + row(460, (20, "Subtotal"), (300, "45.00"))
        + row(490, (20, "Service charge 10%"), (300, "4.50"))
        + row(520, (20, "GST 6%"), (300, "2.97"))
        + row(550, (20, "Rounding Adj"), (300, "-0.02"))
        + row(580, (20, total_label), (220, "RM"), (300, "52.45"))
        + row(610, (20, "Cash"), (300, "60.00"))
        + row(640, (20, "Change"), (300, "7.55"))
        + row(700, (20, "GST Summary"))
        + row(730, (20, "Total:"), (200, "42.45"), (300, "2.97"))
    )


def test_total_takes_a_fuzzy_label_and_skips_subtotal_tax_rounding_cash_and_change():
    found = extract_key_values(make_doc(receipt_body("Totl")), parse_key_spec("total"))["keys"]["total"]
    assert found["value"] == "52.45" and found["label"] == "Totl"
    assert values(make_doc(receipt_body("Amount Due")), "total") == {"total": "52.45"}


def test_total_applies_a_printed_rounding_adjustment():
    doc = make_doc(
        row(100, (20, "TOTAL AMT."), (300, "60.31"))
        + row(130, (20, "ROUNDING ADJ"), (300, "-0.01"))
        + row(160, (200, "RM"), (300, "60.30"))
        + row(190, (20, "CASH"), (300, "70.30"))
    )
    assert values(doc, "total") == {"total": "60.30"}


def test_issuer_company_and_address_from_the_header_block():
    doc = make_doc(
        row(20, (150, "tan woon yann"), height=45)  # a handwritten note above the letterhead
        + row(80, (60, "GREEN LEAF CATERING"), height=30)
        + row(112, (90, "SERVICES LTD"), height=30)
        + row(150, (80, "Company No: 08123456"))
        + row(180, (80, "12 Harbour Street,"))
        + row(206, (80, "Portsmouth PO1 3AB"))
        + row(232, (80, "Tel: 023 9281 4410"))
        + row(280, (100, "TAX INVOICE"))
        + row(320, (20, "Date: 14/03/2024"))
        + receipt_body("TOTAL")
    )
    assert values(doc, "company,address,date,total") == {
        "company": "GREEN LEAF CATERING SERVICES LTD",
        "address": "12 Harbour Street, Portsmouth PO1 3AB",
        "date": "14/03/2024",
        "total": "52.45",
    }


# -- a real receipt through the lite OCR ----------------------------------------------------------
@pytest.mark.slow
def test_real_receipt_through_the_lite_ocr(shared_data):
    from PIL import Image

    from glmocr_cli.recognize.lite_ocr import LiteOcr

    path = shared_data / "receipts" / "img" / "002.jpg"
    truth = json.loads((shared_data / "receipts" / "key" / "002.json").read_text())
    ocr = LiteOcr(threads=2).read_page(Image.open(path).convert("RGB"))
    doc = make_doc([(ln.text, ln.bbox) for ln in ocr.lines])
    found = values(doc, "company,address,date,total")
    assert {k: found[k] for k in ("company", "date", "total")} == {k: truth[k] for k in ("company", "date", "total")}
    assert found["address"].startswith("LOT 1851-A & 1851-B")


@pytest.mark.slow
def test_cli_extract_writes_kv_json_for_the_sample_receipt(tmp_path, cli):
    receipt = Path(__file__).resolve().parents[1] / "samples" / "receipt-photo.jpg"
    result = cli(
        "convert",
        str(receipt),
        "-o",
        str(tmp_path),
        "--engine",
        "lite",
        "--format",
        "json",
        "--extract",
        "company,address,date,total,tax",
        "--workers",
        "1",
    )
    assert result.returncode == 0, result.stderr
    kv = json.loads((tmp_path / "receipt-photo.kv.json").read_text())
    assert {name: item["value"] for name, item in kv["keys"].items()} == {
        "company": "GREEN LEAF CAFE",
        "address": "12 Harbour Street Portsmouth PO1 3AB",
        "date": "14/03/2024",
        "total": "12.25",
        "tax": "2.04",
    }
    assert kv["keys"]["total"]["page"] == 1 and len(kv["keys"]["total"]["bbox"]) == 4
