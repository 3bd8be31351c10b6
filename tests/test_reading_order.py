from glmocr_cli.layout.reading_order import reading_order
from glmocr_cli.recognize.text_lines import join_rows, lines_to_paragraph
from glmocr_cli.document import TextLine


def test_title_then_two_columns_then_footer():
    boxes = [
        (520, 200, 950, 400),   # 0 right column, top
        (50, 50, 950, 120),     # 1 full-width title
        (50, 200, 480, 400),    # 2 left column, top
        (50, 420, 480, 700),    # 3 left column, bottom
        (520, 420, 950, 700),   # 4 right column, bottom
        (50, 760, 950, 800),    # 5 full-width footer
    ]
    assert reading_order(boxes, 1000, 850) == [1, 2, 3, 0, 4, 5]


def test_single_column_top_to_bottom():
    boxes = [(50, 300, 900, 350), (50, 100, 900, 150), (60, 200, 880, 250)]
    assert reading_order(boxes, 1000, 1000) == [1, 2, 0]


def test_hyphenated_lines_join():
    assert join_rows([["An exam-"], ["ple of text"], ["Well-"], ["Known"]]) == "An example of text Well- Known"


def test_lines_in_rows_read_left_to_right():
    lines = [TextLine((300, 10, 500, 30), "world", 0.9), TextLine((10, 12, 280, 31), "hello", 0.9),
             TextLine((10, 50, 200, 70), "next line", 0.9)]
    assert lines_to_paragraph(lines) == "hello world next line"
