from glmocr_cli.layout.reading_order import reading_order
from glmocr_cli.recognize.text_lines import join_rows, lines_to_paragraph
from glmocr_cli.document import TextLine


def test_title_then_two_columns_then_footer():
    boxes = [
        (520, 200, 950, 400),  # 0 right column, top
        (50, 50, 950, 120),  # 1 full-width title
        (50, 200, 480, 400),  # 2 left column, top
        (50, 420, 480, 700),  # 3 left column, bottom
        (520, 420, 950, 700),  # 4 right column, bottom
        (50, 760, 950, 800),  # 5 full-width footer
    ]
    assert reading_order(boxes, 1000, 850) == [1, 2, 3, 0, 4, 5]


def test_single_column_top_to_bottom():
    boxes = [(50, 300, 900, 350), (50, 100, 900, 150), (60, 200, 880, 250)]
    assert reading_order(boxes, 1000, 1000) == [1, 2, 0]


def test_hyphenated_lines_join():
    assert join_rows([["An exam-"], ["ple of text"], ["Well-"], ["Known"]]) == "An example of text Well- Known"


def test_lines_in_rows_read_left_to_right():
    lines = [
        TextLine((300, 10, 500, 30), "world", 0.9),
        TextLine((10, 12, 280, 31), "hello", 0.9),
        TextLine((10, 50, 200, 70), "next line", 0.9),
    ]
    assert lines_to_paragraph(lines) == "hello world next line"


def test_boxes_in_panels_are_read_panel_by_panel():
    # two rows of two cards; a box of each card of the top row shares a band with its neighbour
    panels = [(50, 100, 480, 400), (520, 100, 950, 400), (50, 420, 480, 700), (520, 420, 950, 700)]
    boxes = [
        (60, 110, 300, 130),
        (530, 110, 800, 130),  # 0, 1 headings of cards 1 and 2
        (60, 150, 470, 390),
        (470, 150, 940, 390),  # 2, 3 paragraphs: 2 reaches card 2's edge
        (60, 430, 300, 450),
        (530, 430, 800, 450),  # 4, 5 headings of cards 3 and 4
        (50, 30, 900, 60),
    ]  # 6 the page title
    assert reading_order(boxes, 1000, 800, panels) == [6, 0, 2, 4, 1, 3, 5]
    assert reading_order(boxes, 1000, 800)[:3] == [6, 0, 1]  # without panels: across the cards


def test_a_stray_word_across_the_gutter_does_not_widen_a_text_region():
    from glmocr_cli.layout.reading_order import text_extent

    column = [(200, y, 860, y + 30) for y in range(300, 500, 40)]
    assert text_extent(column + [(891, 330, 898, 360)], gutter=16) == (200, 300, 860, 490)
    assert text_extent(column, gutter=16) == (200, 300, 860, 490)
