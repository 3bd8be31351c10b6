"""Lines -> regions, column detection and table detection from line geometry (real code, plain boxes)."""

from __future__ import annotations

from glmocr_cli.document import TextLine
from glmocr_cli.layout.columns import side_by_side, text_columns
from glmocr_cli.layout.line_regions import assign_lines, attach_rows_to_tables, attach_strays, grow_to_lines
from glmocr_cli.layout.table_detect import looks_like_table


def line(x0, y0, x1, y1, text="word"):
    return TextLine((x0, y0, x1, y1), text, 1.0)


def test_a_line_is_never_split_and_its_cut_off_first_word_joins_it():
    # A heading "The Birth of Word Processing" whose box starts 20 px right of the text (as CDLA's do):
    # the word "The" lies wholly outside the box.
    words = [
        line(200, 100, 216, 130, "The"),
        line(248, 100, 320, 130, "Birth"),
        line(328, 100, 360, 130, "of"),
        line(368, 100, 440, 130, "Word"),
        line(448, 100, 600, 130, "Processing"),
    ]
    boxes = [(221, 95, 610, 135)]
    owned, leftovers = assign_lines(words, boxes)
    members = [[words[k] for k in owned[0]]]
    strays = attach_strays([words[k] for k in leftovers], boxes, members, [True])
    assert not strays
    assert {ln.text for ln in members[0]} == {"The", "Birth", "of", "Word", "Processing"}


def test_a_line_over_two_boxes_goes_wholly_to_the_one_it_overlaps_most():
    lines = [line(100, 100, 500, 120, "one whole line of text")]
    owned, leftovers = assign_lines(lines, [(90, 90, 200, 130), (200, 90, 600, 130)])
    assert owned == [[], [0]] and not leftovers


def test_the_next_line_of_a_paragraph_joins_it_but_a_far_line_does_not():
    body = [line(100, 100, 500, 120), line(100, 125, 500, 145)]
    boxes = [(100, 100, 500, 145)]
    members = [list(body)]
    under = line(100, 150, 300, 170, "last line")
    far = line(100, 400, 500, 420, "another paragraph")
    left = attach_strays([far, under], boxes, members, [True])
    assert under in members[0] and left == [far]
    assert boxes[0][3] == 170


def test_strays_never_join_a_region_that_does_not_take_text():
    members = [[line(100, 100, 500, 120)]]
    left = attach_strays([line(100, 125, 500, 145)], [(100, 100, 500, 120)], members, [False])
    assert len(left) == 1


def _two_columns(rows=8):
    left = [line(50, 100 + 30 * i, 380, 120 + 30 * i, f"left column line {i} of running text") for i in range(rows)]
    right = [line(420, 100 + 30 * i, 750, 120 + 30 * i, f"right column line {i} of running text") for i in range(rows)]
    return left, right


def test_text_columns_are_found_and_a_headline_across_them_kept_apart():
    left, right = _two_columns()
    headline = line(50, 40, 750, 80, "A headline that runs over both columns")
    groups = text_columns([headline, *right, *left])
    assert groups == [[headline], left, right]


def test_receipt_rows_are_not_text_columns():
    items = [line(50, 100 + 30 * i, 300, 120 + 30 * i, f"Item number {i} large") for i in range(8)]
    prices = [line(600, 100 + 30 * i, 680, 120 + 30 * i, f"{i}.50") for i in range(8)]
    assert text_columns(items + prices) is None


def test_blocks_side_by_side_in_one_box_are_read_one_after_the_other():
    # A payment slip: a receipt part in small print beside a payment part in larger print, at the
    # same line pitch, so that their rows line up roughly, by chance.
    receipt = [line(20, 100 + 20 * k, 200, 116 + 20 * k, f"receipt {k}") for k in range(8)]
    payment = [line(600, 101 + 20 * k, 900, 122 + 20 * k, f"payment {k}") for k in range(8)]
    columns = side_by_side(receipt + payment)
    assert columns is not None and [[ln.text for ln in col] for col in columns] == [
        [ln.text for ln in receipt],
        [ln.text for ln in payment],
    ]
    # Blocks that do not line up at all are columns whatever their size.
    letter = [line(20, 100 + 30 * k, 300, 120 + 30 * k) for k in range(4)]
    sender = [line(600, 215 + 25 * k, 900, 235 + 25 * k) for k in range(4)]
    assert side_by_side(letter + sender) is not None


def test_receipt_rows_and_form_rows_are_read_row_by_row():
    items = [line(20, 100 + 30 * k, 300, 124 + 30 * k, f"item {k}") for k in range(6)]
    prices = [line(600, 101 + 30 * k, 680, 125 + 30 * k, f"{k}.50") for k in range(6)]
    assert side_by_side(items + prices) is None
    # On a photographed receipt rows drift a little, still well within a line.
    tilted = [line(600, 104 + 30 * k, 680, 128 + 30 * k, f"{k}.50") for k in range(6)]
    assert side_by_side(items + tilted) is None
    labels = [line(20, 100 + 30 * k, 120, 124 + 30 * k, "Name:") for k in range(4)]
    values = [line(300, 100 + 30 * k, 500, 124 + 30 * k, "Pia") for k in range(4)]
    assert side_by_side(labels + values) is None


def test_lines_in_a_grid_are_a_table_but_text_columns_and_paragraphs_are_not():
    grid = [line(20 + 120 * c, 20 + 25 * r, 80 + 120 * c, 38 + 25 * r, f"{r}.{c}") for r in range(5) for c in range(4)]
    assert looks_like_table(grid)
    left, right = _two_columns()
    assert not looks_like_table(left + right)
    paragraph = [line(50, 100 + 30 * i, 700, 120 + 30 * i, "a line of a paragraph with many words") for i in range(8)]
    assert not looks_like_table(paragraph)


def test_a_header_row_outside_the_table_box_joins_the_table():
    header = [line(20 + 120 * c, 0, 80 + 120 * c, 15, f"head {c}") for c in range(4)]
    body = [line(20 + 120 * c, 25 + 25 * r, 80 + 120 * c, 40 + 25 * r, f"{r}.{c}") for r in range(3) for c in range(4)]
    boxes = [(15, 22, 445, 95)]
    members = [list(body)]
    caption = line(20, 300, 440, 318, "Text far below the table")
    left = attach_rows_to_tables([*header, caption], boxes, members, [True])
    assert left == [caption] and all(h in members[0] for h in header) and boxes[0][1] == 0


def test_words_in_a_formula_box_read_as_text_but_formulas_do_not():
    from glmocr_cli.layout.region_plan import reads_as_words

    assert reads_as_words([line(0, 0, 300, 20, "Listing 1: Simple JavaScript Program")])
    assert not reads_as_words([line(0, 0, 300, 20, "sin x + cos y = tan z")])
    assert not reads_as_words([line(0, 0, 300, 20, "a2 + 8 = 12")])
